"""What the insights pages show, from a service's insights and performance (domain.report): the headline figures in
words and the charts (web.charts), in the page's language. Pure: the pages (web.pages) read and render."""

from dataclasses import dataclass
from datetime import timedelta
from itertools import pairwise
from typing import Final

from markupsafe import Markup

from civicflow.insights.domain.measures import SCORES, Duration, FunnelStep
from civicflow.insights.domain.percentiles import BOUNDS, DAY, HOUR, OVERFLOW
from civicflow.insights.domain.report import Insights, Performance, Ratings
from civicflow.insights.web import charts
from civicflow.insights.web.words import Language, words
from civicflow.shared.traces.waterfall import Waterfall

NUMBERS: Final = {"de": charts.GERMAN, "en": charts.ENGLISH}


@dataclass(frozen=True)
class Figure:
    label: str
    value: str


@dataclass(frozen=True)
class StaffView:
    figures: list[Figure]
    funnel: Markup
    error_fields: Markup
    to_decision: Markup
    to_route: Markup
    rejections: Markup
    outcomes: list[Figure]
    satisfaction: Markup


@dataclass(frozen=True)
class PublicView:
    figures: list[Figure]
    satisfaction: Markup


def staff_view(found: Insights, language: Language) -> StaffView:
    t, numbers = words(language), NUMBERS[language]

    def text(name: str) -> charts.ChartText:
        return charts.ChartText(t[name], t[f"{name}_desc"], t["no_data"], numbers)

    to_decision = found.durations[Duration.TO_DECISION]
    outcomes = found.outcomes
    rejections = [
        charts.Bar(f"{t[f'by_{by}']}: {reason}", count)
        for by, reasons in outcomes.rejections.items()
        for reason, count in reasons.items()
    ]
    return StaffView(
        figures=[
            Figure(t["volume"], numbers.whole(_count(found, FunnelStep.RECEIVED))),
            Figure(t["completion_rate"], _share(found.completion_rate, t, numbers)),
            Figure(t["median_decision"], _at_most(to_decision.p50_seconds, language)),
            Figure(t["p90_decision"], _at_most(to_decision.p90_seconds, language)),
            Figure(t["over_target"].format(days=round(found.target_days)), numbers.whole(found.waiting_over_target)),
            Figure(t["satisfaction"], _mean(found.ratings, t, numbers)),
        ],
        funnel=charts.funnel(
            [charts.FunnelStep(t[f"step_{entry.step}"], entry.count) for entry in found.funnel],
            text("funnel"),
            dropped_out=t["dropped_out"],
        ),
        error_fields=charts.bars(
            [charts.Bar(item.field, item.count) for item in found.error_fields], text("error_fields")
        ),
        to_decision=_histogram(found, Duration.TO_DECISION, text("durations"), language),
        to_route=_histogram(found, Duration.TO_ROUTE, text("route_durations"), language),
        rejections=charts.bars(rejections, text("rejections")),
        outcomes=[
            Figure(t["accepted"], numbers.whole(outcomes.accepted)),
            Figure(t["clarification_requests"], numbers.whole(outcomes.clarification_requests)),
            Figure(t["information_requests"], numbers.whole(outcomes.information_requests)),
            Figure(t["abandoned"], numbers.whole(outcomes.abandoned)),
            Figure(t["commented"], numbers.whole(found.ratings.commented)),
        ],
        satisfaction=_satisfaction(found.ratings, t, numbers),
    )


def public_view(found: Performance, language: Language) -> PublicView:
    t, numbers = words(language), NUMBERS[language]
    median = None if found.median_days_to_decision is None else found.median_days_to_decision * DAY
    return PublicView(
        figures=[
            Figure(t["volume"], numbers.whole(found.volume)),
            Figure(t["completion_rate"], _share(found.completion_rate, t, numbers)),
            Figure(t["median_decision"], _at_most(median, language)),
            Figure(t["satisfaction"], _mean(found.satisfaction, t, numbers)),
        ],
        satisfaction=_satisfaction(found.satisfaction, t, numbers),
    )


def duration_words(seconds: float, language: Language) -> str:
    """A bucket bound in words: minutes below an hour, hours below a day, else days."""
    t = words(language)
    if seconds < HOUR:
        return t["minutes"].format(n=round(seconds / 60))
    if seconds < DAY:
        return t["hours"].format(n=round(seconds / HOUR))
    return t["day"] if seconds == DAY else t["days"].format(n=round(seconds / DAY))


def _histogram(found: Insights, kind: Duration, text: charts.ChartText, language: Language) -> Markup:
    """The buckets from the first to the last that counted any (the open one after the last bound as "longer")."""
    counts = found.histograms.get(kind, {})
    edges = [0.0, *map(float, BOUNDS)]
    bins = [
        charts.DurationBin(f"≤ {duration_words(end, language)}", start, end, counts.get(f"le_{int(end)}", 0))
        for start, end in pairwise(edges)
    ]
    bins.append(charts.DurationBin(words(language)["longer"], edges[-1], edges[-1] * 2, counts.get(OVERFLOW, 0)))
    counted = [index for index, item in enumerate(bins) if item.count]
    shown = bins[counted[0] : counted[-1] + 1] if counted else []
    spread = found.durations[kind]
    markers = [
        charts.Marker(f"{name} ≤ {duration_words(value, language)}", value)
        for name, value in (("p50", spread.p50_seconds), ("p90", spread.p90_seconds))
        if value is not None and shown and shown[0].start <= value <= shown[-1].end
    ]
    return charts.histogram(shown, text, markers=markers)


def _satisfaction(ratings: Ratings, t: dict[str, str], numbers: charts.Numbers) -> Markup:
    text = charts.ChartText(t["satisfaction"], t["satisfaction_desc"], t["no_data"], numbers)
    counts = [charts.RatingCount(int(score), ratings.distribution.get(score, 0)) for score in SCORES]
    return charts.satisfaction(counts, text, mean=t["mean"])


def _count(found: Insights, step: FunnelStep) -> int:
    return next((entry.count for entry in found.funnel if entry.step == step), 0)


def _share(share: float | None, t: dict[str, str], numbers: charts.Numbers) -> str:
    return t["no_figure"] if share is None else numbers.percent(share)


def _at_most(seconds: float | None, language: Language) -> str:
    t = words(language)
    return t["no_figure"] if seconds is None else t["at_most"].format(duration=duration_words(seconds, language))


def _mean(ratings: Ratings, t: dict[str, str], numbers: charts.Numbers) -> str:
    if ratings.mean is None:
        return t["no_figure"]
    return f"{numbers.decimal(ratings.mean)} / 5 ({t['ratings_count'].format(count=numbers.whole(ratings.count))})"


@dataclass(frozen=True)
class TraceRow:
    service: str
    step: str
    start: str
    duration: str
    error: str | None


def trace_view(found: Waterfall, language: Language) -> tuple[Markup, list[TraceRow]]:
    """The trace as a waterfall chart and as rows (the same steps, for a screen reader and for copying)."""
    t, numbers = words(language), NUMBERS[language]
    text = charts.ChartText(t["trace_title"], t["trace_desc"], t["trace_missing"], numbers)
    spans = [
        charts.TraceSpan(row.service, row.step, _ms(row.start), _ms(row.duration), row.error is not None)
        for row in found.rows
    ]
    rows = [
        TraceRow(
            row.service,
            "  " * row.depth + row.step,
            f"{numbers.decimal(_ms(row.start))} ms",
            f"{numbers.decimal(_ms(row.duration))} ms",
            row.error,
        )
        for row in found.rows
    ]
    return charts.waterfall(spans, text, error=t["failed"]), rows


def _ms(value: timedelta) -> float:
    return value / timedelta(milliseconds=1)
