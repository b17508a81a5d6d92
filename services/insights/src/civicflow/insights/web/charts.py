"""The insights pages' charts, drawn on the server as SVG: no JavaScript, no CDN, no web font.

`funnel`, `bars`, `histogram`, `satisfaction` and `waterfall` take the plain frozen inputs below and the caller's
words (`ChartText` and a word or two per chart), and return the SVG as `Markup`, ready for `{{ chart }}` in a
Jinja2 page. The same input gives the same bytes: no random id, no date.

Why Jinja2 with autoescape. pygal 3.1.3 (tried) writes an inline <script> into every chart even with `js=[]`,
a uuid4 id and a dated comment (so no two renderings are equal), no role="img", and has no funnel with drop-out,
no percentile mark and no trace waterfall: undoing and adding that is more code than drawing. matplotlib brings
numpy, Pillow and fonttools for five bar charts, and salts its SVG ids unless told otherwise. Jinja2 is how
CivicFlow already writes HTML (intake) and mail (notify); autoescape escapes every label as it is written, so a
field named "<script>" is shown, never run. The geometry is plain Python (a bar is count / largest * width); one
template writes it.

Accessible as WCAG 2.2 asks: role="img" with <title> and <desc> (aria-labelledby / aria-describedby), the <desc>
holding every figure as text; dark text (19.6:1) and bars (5.2:1) on a white ground of their own, over 1.4.3's 4.5:1
and 1.4.11's 3:1; an error is marked by the caller's word as well as by colour (1.4.1); a viewBox and width="100%"
scale to a phone, the labels above the bars so the bars keep the full width. Presentation attributes only, no
style attribute or element, so a Content-Security-Policy without 'unsafe-inline' allows the charts. The page gives
each chart its heading and, if it wants, a max-width: the chart draws no heading of its own.

No words of its own: the caller passes them, and `Numbers` (ENGLISH, GERMAN) says how figures are written.
The waterfall's times are milliseconds, written with the SI symbol ms."""

import hashlib
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import ClassVar

from jinja2 import Environment, StrictUndefined, Template
from markupsafe import Markup

WIDTH = 400.0
FONT_SIZE = 14
CHAR_WIDTH = 0.6 * FONT_SIZE  # a generous average for a sans-serif, so that a cut label never runs into its value
TEXT_ROW = 20.0
BAR = 18.0
GAP = 12.0
PLOT = 160.0
INK = "#0b0c0c"
MUTED = "#505a5f"
BAR_FILL = "#1d70b8"
ERROR_FILL = "#d4351c"
GROUND = "#ffffff"


@dataclass(frozen=True)
class Numbers:
    """How figures are written: the marks, not words."""

    decimal_mark: str
    group_mark: str
    percent_sign: str

    def whole(self, value: int) -> str:
        return self._marked(f"{value:,}")

    def decimal(self, value: float, places: int = 1) -> str:
        return self._marked(f"{value:,.{places}f}")

    def percent(self, share: float) -> str:
        return self.decimal(share * 100) + self.percent_sign

    def _marked(self, written: str) -> str:
        return written.translate({ord(","): self.group_mark, ord("."): self.decimal_mark})


ENGLISH = Numbers(decimal_mark=".", group_mark=",", percent_sign="%")
# DIN 5008: a space before the percent sign; a no-break one, so that "12,5 %" never breaks.
GERMAN = Numbers(decimal_mark=",", group_mark=".", percent_sign="\u00a0%")


@dataclass(frozen=True)
class ChartText:
    """The caller's words for one chart, in the page's language; the figures follow `description` in <desc>."""

    title: str
    description: str
    no_data: str
    numbers: Numbers


def _measured(*values: float) -> None:
    if not all(math.isfinite(value) and value >= 0 for value in values):
        raise ValueError(f"counts and times are finite and not negative: {values}")


@dataclass(frozen=True)
class FunnelStep:
    label: str
    count: int

    def __post_init__(self) -> None:
        _measured(self.count)


@dataclass(frozen=True)
class Bar:
    label: str
    count: int

    def __post_init__(self) -> None:
        _measured(self.count)


@dataclass(frozen=True)
class DurationBin:
    """Durations from `start` up to `end`, in the caller's unit (the unit of the markers too)."""

    label: str
    start: float
    end: float
    count: int

    def __post_init__(self) -> None:
        _measured(self.start, self.end, self.count)
        if self.end <= self.start:
            raise ValueError(f"a bin ends after it starts: {self}")


@dataclass(frozen=True)
class Marker:
    """A value marked on a histogram, e.g. the p50: `label` is all its words and figures, as the caller writes them."""

    label: str
    value: float

    def __post_init__(self) -> None:
        _measured(self.value)


@dataclass(frozen=True)
class RatingCount:
    score: int
    count: int

    def __post_init__(self) -> None:
        _measured(self.count)
        if self.score not in range(1, 6):
            raise ValueError(f"a rating is 1 to 5: {self.score}")


@dataclass(frozen=True)
class TraceSpan:
    service: str
    step: str
    start_ms: float
    duration_ms: float
    error: bool = False

    def __post_init__(self) -> None:
        _measured(self.start_ms, self.duration_ms)


@dataclass(frozen=True)
class _Rect:
    kind: ClassVar[str] = "rect"
    x: float
    y: float
    width: float
    height: float
    fill: str = BAR_FILL


@dataclass(frozen=True)
class _Line:
    kind: ClassVar[str] = "line"
    x1: float
    y1: float
    x2: float
    y2: float
    dashed: bool = False


@dataclass(frozen=True)
class _Text:
    kind: ClassVar[str] = "text"
    x: float
    y: float
    content: str
    anchor: str = "start"
    fill: str = INK


_Shape = _Rect | _Line | _Text

_SVG = """\
<svg xmlns="http://www.w3.org/2000/svg" class="chart chart-{{ kind }}" viewBox="0 0 {{ width|n }} {{ height|n }}" \
width="100%" role="img" aria-labelledby="{{ id }}-title" aria-describedby="{{ id }}-desc" \
font-family="system-ui, sans-serif" font-size="{{ font_size }}" fill="{{ ink }}">
<title id="{{ id }}-title">{{ title }}</title>
<desc id="{{ id }}-desc">{{ desc }}</desc>
<rect width="100%" height="100%" fill="{{ ground }}"/>
{% for s in shapes %}
{% if s.kind == "rect" %}
<rect x="{{ s.x|n }}" y="{{ s.y|n }}" width="{{ s.width|n }}" height="{{ s.height|n }}" fill="{{ s.fill }}"/>
{% elif s.kind == "line" %}
<line x1="{{ s.x1|n }}" y1="{{ s.y1|n }}" x2="{{ s.x2|n }}" y2="{{ s.y2|n }}" stroke="{{ ink }}" stroke-width="1.5"\
{% if s.dashed %} stroke-dasharray="4 3"{% endif %}/>
{% else %}
<text x="{{ s.x|n }}" y="{{ s.y|n }}" text-anchor="{{ s.anchor }}" fill="{{ s.fill }}">{{ s.content }}</text>
{% endif %}
{% endfor %}
</svg>
"""

# XML 1.0 §2.2: characters no escaping can make valid (NUL, ESC, …) are dropped from whatever a label holds.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _xml_text(value: object) -> object:
    # A plain str comes back even for Markup, so autoescape escapes it too: a label is text, never markup.
    return _NOT_XML.sub("", value) if isinstance(value, str) else value


def _coordinate(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".")


@cache
def _template() -> Template:
    environment = Environment(
        autoescape=True, undefined=StrictUndefined, finalize=_xml_text, trim_blocks=True, lstrip_blocks=True
    )
    environment.filters["n"] = _coordinate
    return environment.from_string(_SVG)


def _figure(kind: str, text: ChartText, figures: Sequence[str], height: float, shapes: Sequence[_Shape]) -> Markup:
    desc = f"{text.description} {'; '.join(figures)}".strip()
    # Derived from the content, so it is the same every time; the page's other charts get other ids.
    ident = "chart-" + hashlib.sha256(repr((kind, text, desc, shapes)).encode()).hexdigest()[:12]
    svg = _template().render(
        kind=kind, id=ident, title=text.title, desc=desc, width=WIDTH, height=height, shapes=shapes,
        font_size=FONT_SIZE, ink=INK, ground=GROUND,
    )  # fmt: skip
    return Markup(svg)  # noqa: S704 - the template escaped every value it wrote


def _no_data(kind: str, text: ChartText) -> Markup:
    return _figure(kind, text, [text.no_data], 3 * TEXT_ROW, [_Text(WIDTH / 2, 2 * TEXT_ROW, text.no_data, "middle")])


def _fitted(label: str, room: int) -> str:
    """Cut to `room` characters on screen; <desc> keeps the whole label."""
    return label if len(label) <= room else label[: max(room - 1, 1)] + "…"


def _row(label: str, value: str, y: float, fill: str = INK) -> list[_Shape]:
    """A label on the left and its figures on the right, on one line above its bar."""
    room = int(WIDTH / CHAR_WIDTH) - len(value) - 2
    return [_Text(0, y + 15, _fitted(label, room), fill=fill), _Text(WIDTH, y + 15, value, "end", fill)]


def funnel(steps: Sequence[FunnelStep], text: ChartText, *, dropped_out: str) -> Markup:
    """Each step's bar centred and as wide as its count; between two steps, the share of the first that left."""
    most = max((step.count for step in steps), default=0)
    if most == 0:
        return _no_data("funnel", text)
    numbers, y = text.numbers, 0.0
    shapes: list[_Shape] = []
    figures: list[str] = []
    for previous, step in zip([None, *steps], steps, strict=False):
        figure = f"{step.label}: {numbers.whole(step.count)}"
        if previous is not None:
            if previous.count:
                share = numbers.percent(max(previous.count - step.count, 0) / previous.count)
                shapes.append(_Text(WIDTH / 2, y + 15, f"↓ {share} {dropped_out}", "middle", MUTED))
                figure += f" ({share} {dropped_out})"
            y += TEXT_ROW
        width = WIDTH * step.count / most
        shapes += [
            *_row(step.label, numbers.whole(step.count), y),
            _Rect((WIDTH - width) / 2, y + TEXT_ROW, width, BAR),
        ]
        figures.append(figure)
        y += TEXT_ROW + BAR + 4
    return _figure("funnel", text, figures, y, shapes)


def bars(items: Sequence[Bar], text: ChartText, *, top: int = 10) -> Markup:
    """The `top` largest, largest first (equal counts by label, so the order is the same every time)."""
    shown = sorted(items, key=lambda item: (-item.count, item.label))[:top]
    most = max((item.count for item in shown), default=0)
    if most == 0:
        return _no_data("bars", text)
    shapes: list[_Shape] = []
    for index, item in enumerate(shown):
        y = index * (TEXT_ROW + BAR + GAP)
        shapes += [
            *_row(item.label, text.numbers.whole(item.count), y),
            _Rect(0, y + TEXT_ROW, WIDTH * item.count / most, BAR),
        ]
    figures = [f"{item.label}: {text.numbers.whole(item.count)}" for item in shown]
    return _figure("bars", text, figures, len(shown) * (TEXT_ROW + BAR + GAP), shapes)


def _columns(
    columns: Sequence[tuple[str, int]], marks: Sequence[tuple[str, float]], numbers: Numbers
) -> tuple[list[_Shape], float]:
    """Columns of equal width, each as high as its count; a mark at a position counted in columns (1.5: the middle
    of the second), its words on a line of their own above the plot. Returns the shapes and the height."""
    most, span = max(count for _, count in columns), WIDTH / len(columns)
    base = (len(marks) + 1) * TEXT_ROW + PLOT
    shapes: list[_Shape] = [_Line(0, base, WIDTH, base)]
    for index, (label, count) in enumerate(columns):
        height, middle = PLOT * count / most, (index + 0.5) * span
        shapes += [
            _Rect(index * span + span / 10, base - height, span * 0.8, height),
            _Text(middle, base - height - 4, numbers.whole(count), "middle"),
            _Text(middle, base + 16, label, "middle"),
        ]
    lines: list[float] = []
    for index, (label, position) in enumerate(marks):
        x, top = min(max(position * span, 0), WIDTH), index * TEXT_ROW
        anchor = _side(x, label, lines)
        lines.append(x)
        shapes += [
            _Line(x, top + TEXT_ROW, x, base, dashed=True),
            _Text(x + 4 if anchor == "start" else x - 4, top + 15, label, anchor),
        ]
    return shapes, base + TEXT_ROW + 4


def _side(x: float, label: str, lines: Sequence[float]) -> str:
    """The side of its line a mark's words go: one where they fit and cross no line of the marks above them."""
    width = len(label) * CHAR_WIDTH + 4
    right = x + width <= WIDTH and not any(x < line <= x + width for line in lines)
    left = x - width >= 0 and not any(x - width <= line < x for line in lines)
    if right and (not left or x <= WIDTH / 2):
        return "start"
    if left or x > WIDTH / 2:
        return "end"
    return "start"


def _position(bins: Sequence[DurationBin], value: float) -> float:
    """Where `value` falls, counted in bins: bins are drawn equally wide whatever they span."""
    for index, item in enumerate(bins):
        if value < item.end:
            return index + max(value - item.start, 0) / (item.end - item.start)
    return len(bins)


def histogram(bins: Sequence[DurationBin], text: ChartText, *, markers: Sequence[Marker] = ()) -> Markup:
    """Durations in bins (in order, e.g. days to decision), with markers such as the p50 and p90."""
    if not any(item.count for item in bins):
        return _no_data("histogram", text)
    marks = [(marker.label, _position(bins, marker.value)) for marker in markers]
    shapes, height = _columns([(item.label, item.count) for item in bins], marks, text.numbers)
    figures = [f"{item.label}: {text.numbers.whole(item.count)}" for item in bins] + [m.label for m in markers]
    return _figure("histogram", text, figures, height, shapes)


def satisfaction(ratings: Sequence[RatingCount], text: ChartText, *, mean: str) -> Markup:
    """The ratings 1 to 5 as columns, their mean marked; `mean` is the caller's word for it."""
    counts = dict.fromkeys(range(1, 6), 0)
    for rating in ratings:
        counts[rating.score] += rating.count
    total = sum(counts.values())
    if total == 0:
        return _no_data("satisfaction", text)
    average = sum(score * count for score, count in counts.items()) / total
    label = f"{mean} {text.numbers.decimal(average)}"
    shapes, height = _columns(
        [(str(score), count) for score, count in counts.items()], [(label, average - 0.5)], text.numbers
    )
    figures = [f"{score}: {text.numbers.whole(count)}" for score, count in counts.items()] + [label]
    return _figure("satisfaction", text, figures, height, shapes)


def waterfall(spans: Sequence[TraceSpan], text: ChartText, *, error: str) -> Markup:
    """A trace's spans in the caller's order, each a bar from its start for its duration; `error` marks a failed one."""
    if not spans:
        return _no_data("waterfall", text)
    numbers = text.numbers
    shapes: list[_Shape] = []
    figures: list[str] = []
    end = max(span.start_ms + span.duration_ms for span in spans)
    scale = WIDTH / end if end else 0.0
    for index, span in enumerate(spans):
        y, fill = index * (TEXT_ROW + BAR + GAP), ERROR_FILL if span.error else BAR_FILL
        label, took = f"{span.service} · {span.step}", f"{numbers.decimal(span.duration_ms)}\u00a0ms"
        width = max(span.duration_ms * scale, 1.0)  # a span too short to see still shows where it happened
        shapes += _row(label, f"{took} · {error}" if span.error else took, y, ERROR_FILL if span.error else INK)
        shapes.append(_Rect(min(span.start_ms * scale, WIDTH - width), y + TEXT_ROW, width, BAR, fill))
        period = f"{numbers.decimal(span.start_ms)}\u2013{numbers.decimal(span.start_ms + span.duration_ms)}\u00a0ms"
        figures.append(f"{label}: {period}" + (f" ({error})" if span.error else ""))
    y = len(spans) * (TEXT_ROW + BAR + GAP)
    shapes += [
        _Text(0, y + 15, "0\u00a0ms", fill=MUTED),
        _Text(WIDTH, y + 15, f"{numbers.decimal(end)}\u00a0ms", "end", MUTED),
    ]
    return _figure("waterfall", text, figures, y + TEXT_ROW + 4, shapes)
