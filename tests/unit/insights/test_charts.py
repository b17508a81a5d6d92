"""The insights charts: each one valid, accessible SVG that carries its figures as text, escapes what a label holds,
says "no data" rather than dividing by zero, draws bars in proportion, and gives the same bytes every time."""

from collections.abc import Callable
from xml.etree import ElementTree

import pytest
from markupsafe import Markup

from civicflow.insights.web import charts
from civicflow.insights.web.charts import (
    ENGLISH,
    GERMAN,
    Bar,
    ChartText,
    DurationBin,
    FunnelStep,
    Marker,
    RatingCount,
    TraceSpan,
)

SVG = "{http://www.w3.org/2000/svg}"
TEXT = ChartText("Applications through the form", "Where people drop out.", "No data yet", ENGLISH)
HOSTILE = '<script>alert("x")</script> & \x00\x1b'
SHOWN_HOSTILE = '<script>alert("x")</script> & '

Chart = Callable[[str, ChartText], Markup]
"""A chart drawn with a label of its data (or a word of its caller) set to `label`."""

CHARTS: dict[str, Chart] = {
    "funnel": lambda label, text: charts.funnel(
        [FunnelStep(label, 1000), FunnelStep("Form started", 800), FunnelStep("Submitted", 600)],
        text,
        dropped_out="dropped out",
    ),
    "bars": lambda label, text: charts.bars([Bar(label, 42), Bar("email", 7)], text),
    "histogram": lambda label, text: charts.histogram(
        [DurationBin(label, 0, 1, 5), DurationBin("1-2 d", 1, 2, 12), DurationBin("2-5 d", 2, 5, 3)],
        text,
        markers=[Marker("p50: 1.5 days", 1.5), Marker("p90: 4 days", 4)],
    ),
    "satisfaction": lambda label, text: charts.satisfaction(
        [RatingCount(1, 2), RatingCount(4, 6), RatingCount(5, 12)], text, mean=label
    ),
    "waterfall": lambda label, text: charts.waterfall(
        [TraceSpan(label, "received", 0, 12.5), TraceSpan("routing", "routed", 20, 30, error=True)],
        text,
        error="failed",
    ),
}

EMPTY: dict[str, Callable[[], Markup]] = {
    "funnel": lambda: charts.funnel([], TEXT, dropped_out="dropped out"),
    "funnel of zeros": lambda: charts.funnel(
        [FunnelStep("Viewed", 0), FunnelStep("Started", 0)], TEXT, dropped_out="-"
    ),
    "bars": lambda: charts.bars([], TEXT),
    "bars of zeros": lambda: charts.bars([Bar("email", 0)], TEXT),
    "no bars on top": lambda: charts.bars([Bar("email", 3)], TEXT, top=0),
    "histogram": lambda: charts.histogram([], TEXT, markers=[Marker("p50", 1)]),
    "histogram of zeros": lambda: charts.histogram([DurationBin("<1 d", 0, 1, 0)], TEXT),
    "satisfaction": lambda: charts.satisfaction([], TEXT, mean="mean"),
    "satisfaction of zeros": lambda: charts.satisfaction([RatingCount(3, 0)], TEXT, mean="mean"),
    "waterfall": lambda: charts.waterfall([], TEXT, error="failed"),
}


def parsed(svg: str) -> ElementTree.Element:
    return ElementTree.fromstring(svg)  # noqa: S314 - our own output, the very thing under test


def texts(svg: str) -> list[str]:
    return [element.text or "" for element in parsed(svg).iter(f"{SVG}text")]


def desc(svg: str) -> str:
    element = parsed(svg).find(f"{SVG}desc")
    assert element is not None
    return element.text or ""


def bar_rects(svg: str, fill: str = charts.BAR_FILL) -> list[dict[str, float]]:
    return [
        {name: float(rect.attrib[name]) for name in ("x", "y", "width", "height")}
        for rect in parsed(svg).iter(f"{SVG}rect")
        if rect.attrib["fill"] == fill
    ]


@pytest.mark.parametrize("name", CHARTS)
def test_each_chart_is_accessible_svg_that_scales_and_needs_nothing_from_outside(name: str) -> None:
    svg = CHARTS[name]("A label", TEXT)
    root = parsed(svg)

    assert root.tag == f"{SVG}svg"
    assert root.attrib["role"] == "img"
    assert root.attrib["width"] == "100%"
    assert root.attrib["viewBox"].startswith("0 0 400 ")
    title, description = root.find(f"{SVG}title"), root.find(f"{SVG}desc")
    assert title is not None and title.text == TEXT.title
    assert description is not None and (description.text or "").startswith(TEXT.description)
    assert root.attrib["aria-labelledby"] == title.attrib["id"]
    assert root.attrib["aria-describedby"] == description.attrib["id"]
    assert not list(root.iter(f"{SVG}script"))
    assert "href" not in svg and "style" not in svg
    assert svg.count("://") == 1  # the SVG namespace, and no font, script or stylesheet to fetch


@pytest.mark.parametrize("name", CHARTS)
def test_the_same_figures_give_the_same_bytes(name: str) -> None:
    assert CHARTS[name]("A label", TEXT) == CHARTS[name]("A label", TEXT)
    # Two charts on one page need ids of their own for aria-labelledby.
    first, other = parsed(CHARTS[name]("A label", TEXT)), parsed(CHARTS[name]("Another", TEXT))
    assert first.attrib["aria-labelledby"] != other.attrib["aria-labelledby"]


@pytest.mark.parametrize("name", CHARTS)
def test_a_hostile_label_is_shown_as_text_never_as_markup(name: str) -> None:
    svg = CHARTS[name](HOSTILE, ChartText(HOSTILE, HOSTILE, HOSTILE, ENGLISH))
    root = parsed(svg)

    assert not list(root.iter(f"{SVG}script"))
    assert "<script" not in svg
    assert "&lt;script&gt;" in svg
    assert SHOWN_HOSTILE in desc(svg)
    assert any(SHOWN_HOSTILE in text for text in texts(svg))
    assert "\x00" not in svg and "\x1b" not in svg


def test_a_label_passed_as_markup_is_escaped_all_the_same() -> None:
    svg = charts.bars([Bar(Markup("<b>email</b>"), 3)], TEXT)

    assert "<b>" not in svg
    assert "<b>email</b>: 3" in desc(svg)


@pytest.mark.parametrize("name", EMPTY)
def test_without_data_a_chart_says_so(name: str) -> None:
    svg = EMPTY[name]()

    assert parsed(svg).tag == f"{SVG}svg"
    assert texts(svg) == [TEXT.no_data]
    assert desc(svg) == f"{TEXT.description} {TEXT.no_data}"
    assert bar_rects(svg) == []


def test_the_funnel_shows_each_count_and_the_share_that_dropped_out() -> None:
    svg = CHARTS["funnel"]("Service page viewed", TEXT)

    assert desc(svg) == (
        "Where people drop out. Service page viewed: 1,000; Form started: 800 (20.0% dropped out); "
        "Submitted: 600 (25.0% dropped out)"
    )
    assert {"1,000", "800", "600", "↓ 20.0% dropped out", "↓ 25.0% dropped out"} <= set(texts(svg))


def test_the_funnel_bars_shrink_in_proportion_centred() -> None:
    rects = bar_rects(CHARTS["funnel"]("Viewed", TEXT))

    assert [rect["width"] for rect in rects] == [400, 320, 240]
    assert [rect["x"] for rect in rects] == [0, 40, 80]


def test_a_funnel_step_that_gains_loses_nobody_and_one_after_nobody_has_no_share() -> None:
    steps = [FunnelStep("Submitted", 10), FunnelStep("Verified", 12), FunnelStep("Routed", 0), FunnelStep("Decided", 0)]
    svg = charts.funnel(steps, TEXT, dropped_out="left")

    assert (
        desc(svg)
        == "Where people drop out. Submitted: 10; Verified: 12 (0.0% left); Routed: 0 (100.0% left); Decided: 0"
    )


def test_german_figures_are_written_the_german_way() -> None:
    german = ChartText("Antragsstrecke", "Wo Menschen abbrechen.", "Keine Daten", GERMAN)
    svg = charts.funnel([FunnelStep("Angesehen", 12000), FunnelStep("Begonnen", 9000)], german, dropped_out="Abbruch")

    assert desc(svg) == "Wo Menschen abbrechen. Angesehen: 12.000; Begonnen: 9.000 (25,0\u00a0% Abbruch)"


def test_bars_show_the_top_largest_first_in_proportion() -> None:
    items = [Bar("name", 10), Bar("email", 40), Bar("birth_date", 20), Bar("street", 10)]
    svg = charts.bars(items, TEXT, top=3)

    assert desc(svg) == "Where people drop out. email: 40; birth_date: 20; name: 10"
    assert [rect["width"] for rect in bar_rects(svg)] == [400, 200, 100]
    assert "street" not in svg


def test_a_long_label_is_cut_on_screen_and_whole_in_the_description() -> None:
    label = "a_field_name_far_too_long_to_fit_beside_its_count_on_a_phone"
    svg = charts.bars([Bar(label, 1234)], TEXT)

    shown = texts(svg)[0]
    assert shown.endswith("…") and label.startswith(shown[:-1])
    assert f"{label}: 1,234" in desc(svg)


def test_the_histogram_columns_are_as_high_as_their_counts_and_the_percentiles_where_they_fall() -> None:
    svg = CHARTS["histogram"]("<1 d", TEXT)
    root = parsed(svg)

    assert [rect["height"] for rect in bar_rects(svg)] == [
        pytest.approx(charts.PLOT * n / 12, abs=0.01) for n in (5, 12, 3)
    ]
    marks = [float(line.attrib["x1"]) for line in root.iter(f"{SVG}line") if "stroke-dasharray" in line.attrib]
    column = charts.WIDTH / 3
    assert marks == [pytest.approx(1.5 * column, abs=0.01), pytest.approx((2 + 2 / 3) * column, abs=0.01)]
    assert desc(svg) == "Where people drop out. <1 d: 5; 1-2 d: 12; 2-5 d: 3; p50: 1.5 days; p90: 4 days"
    assert {"5", "12", "3", "<1 d", "p50: 1.5 days", "p90: 4 days"} <= set(texts(svg))


def test_satisfaction_shows_every_score_and_marks_the_mean() -> None:
    svg = CHARTS["satisfaction"]("mean", TEXT)
    root = parsed(svg)

    # (1*2 + 4*6 + 5*12) / 20 = 4.3
    assert desc(svg) == "Where people drop out. 1: 2; 2: 0; 3: 0; 4: 6; 5: 12; mean 4.3"
    assert [rect["height"] for rect in bar_rects(svg)] == [
        pytest.approx(charts.PLOT * n / 12, abs=0.01) for n in (2, 0, 0, 6, 12)
    ]
    (mark,) = (line for line in root.iter(f"{SVG}line") if "stroke-dasharray" in line.attrib)
    assert float(mark.attrib["x1"]) == pytest.approx((4.3 - 0.5) * charts.WIDTH / 5, abs=0.01)


def test_the_waterfall_places_each_span_on_the_traces_time_and_marks_errors_in_words() -> None:
    svg = CHARTS["waterfall"]("intake", TEXT)

    (received,) = bar_rects(svg)
    (routed,) = bar_rects(svg, charts.ERROR_FILL)
    assert (received["x"], received["width"]) == (0, 100)
    assert (routed["x"], routed["width"]) == (160, 240)
    assert desc(svg) == (
        "Where people drop out. intake · received: 0.0\u201312.5\u00a0ms; "
        "routing · routed: 20.0\u201350.0\u00a0ms (failed)"
    )
    assert {"12.5\u00a0ms", "30.0\u00a0ms · failed", "0\u00a0ms", "50.0\u00a0ms"} <= set(texts(svg))


def test_a_trace_of_instant_spans_is_drawn_without_dividing_by_zero() -> None:
    svg = charts.waterfall([TraceSpan("intake", "received", 0, 0)], TEXT, error="failed")

    assert [rect["width"] for rect in bar_rects(svg)] == [1]


@pytest.mark.parametrize(
    "build",
    [
        lambda: FunnelStep("Viewed", -1),
        lambda: Bar("email", -3),
        lambda: DurationBin("<1 d", 1, 1, 3),
        lambda: DurationBin("<1 d", 0, float("inf"), 3),
        lambda: Marker("p50", float("nan")),
        lambda: RatingCount(6, 1),
        lambda: TraceSpan("intake", "received", -5, 1),
    ],
)
def test_impossible_figures_are_refused(build: Callable[[], object]) -> None:
    with pytest.raises(ValueError, match=r"."):
        build()
