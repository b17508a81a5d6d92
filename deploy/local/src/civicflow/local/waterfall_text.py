"""A waterfall for the terminal: one line per span with its service, step, offset, duration, a bar on the trace's
time axis and, for a failed span, what went wrong."""

from datetime import timedelta

from civicflow.shared.traces.waterfall import Row, Waterfall

ERROR_MARK = "✗"
BAR = "█"
# Below these, a narrow terminal still gets a readable step and bar.
MIN_STEP, MIN_BAR = 24, 20
MAX_SERVICE = 20


def render(fall: Waterfall, width: int = 120) -> str:
    errors = sum(row.error is not None for row in fall.rows)
    head = f"trace {fall.trace_id}: {len(fall.rows)} spans in {duration_text(fall.duration)}" + (
        f", {errors} failed" if errors else ""
    )
    service_width = min(MAX_SERVICE, max((len(row.service) for row in fall.rows), default=7))
    # mark, service, step, offset (9), duration (9), bar between two pipes; single spaces between.
    fixed = 2 + service_width + 1 + 1 + 9 + 1 + 9 + 1 + 2
    # The steps as wide as they need, up to three fifths of what is left; the bar gets the rest.
    needed = max((len(_indented(row)) for row in fall.rows), default=len("step"))
    step_width = max(MIN_STEP, min(needed, (width - fixed) * 3 // 5))
    bar_width = max(MIN_BAR, width - fixed - step_width)
    title = f"  {'service':<{service_width}} {'step':<{step_width}} {'start':>9} {'took':>9}"
    lines = [head, f"services: {', '.join(fall.services)}", "", title]
    lines += [_line(row, fall.duration, service_width, step_width, bar_width) for row in fall.rows]
    return "\n".join(lines)


def _line(row: Row, total: timedelta, service_width: int, step_width: int, bar_width: int) -> str:
    mark = ERROR_MARK if row.error is not None else " "
    step = _fit(_indented(row), step_width)
    offset = "+" + duration_text(row.start)
    line = (
        f"{mark} {_fit(row.service, service_width):<{service_width}} {step:<{step_width}}"
        f" {offset:>9} {duration_text(row.duration):>9} |{bar(row, total, bar_width)}|"
    )
    return line + (f" {row.error}" if row.error is not None else "")


def _indented(row: Row) -> str:
    return "  " * row.depth + row.step


def bar(row: Row, total: timedelta, width: int) -> str:
    """The span's place on the trace's time axis; at least one cell, so that a short span still shows."""
    if total <= timedelta(0):
        return BAR + " " * (width - 1)
    begin = min(width - 1, int(row.start / total * width))
    end = max(begin + 1, min(width, round((row.start + row.duration) / total * width)))
    return " " * begin + BAR * (end - begin) + " " * (width - end)


def duration_text(value: timedelta) -> str:
    milliseconds = value / timedelta(milliseconds=1)
    if milliseconds < 10:
        return f"{milliseconds:.1f} ms"
    if milliseconds < 10_000:
        return f"{milliseconds:.0f} ms"
    return f"{milliseconds / 1000:.1f} s"


def _fit(text: str, width: int) -> str:
    """The text, shortened in the middle when too long: a span's last word says what it did (publish, process)."""
    if len(text) <= width:
        return text
    head, space, last = text.rpartition(" ")
    tail = space + last if head.strip() and len(last) < width // 2 else ""
    return text[: width - len(tail) - 1] + "…" + tail
