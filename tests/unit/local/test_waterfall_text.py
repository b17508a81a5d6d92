"""The terminal's waterfall, drawn from the recorded Jaeger trace the model's tests use."""

import json
from datetime import timedelta
from pathlib import Path

from civicflow.local.waterfall_text import BAR, ERROR_MARK, bar, duration_text, render
from civicflow.shared.traces.waterfall import Row, waterfall

RECORDED = Path(__file__).parents[1] / "shared" / "jaeger_trace.json"
TRACE = json.loads(RECORDED.read_text())["data"][0]


def row(start_ms: float, duration_ms: float) -> Row:
    return Row("svc", "step", timedelta(milliseconds=start_ms), timedelta(milliseconds=duration_ms), 0, None, "1")


def test_a_summary_then_one_line_per_span_each_with_service_step_start_duration_and_bar() -> None:
    lines = render(waterfall(TRACE), width=140).splitlines()
    assert lines[0] == f"trace {TRACE['traceID']}: 13 spans in 4790 ms, 1 failed"
    assert lines[1] == "services: civicflow-intake, civicflow-identity, civicflow-routing, civicflow-notify"
    assert lines[2] == ""
    assert lines[3].split() == ["service", "step", "start", "took"]
    rows = lines[4:]
    assert len(rows) == 13
    assert all(len(line) <= 140 for line in rows if ERROR_MARK not in line)
    first, last = rows[0], rows[-1]
    assert first.startswith("  civicflow-intake ") and "POST /v1/submissions" in first and "+0.0 ms" in first
    assert "42 ms" in first  # 41.5 ms
    assert last.startswith("  civicflow-notify ") and "smtp send" in last and "+4760 ms" in last
    # the request's bar begins at the left edge, the mail's ends at the right one
    assert first.split("|")[1].startswith(BAR)
    assert last.split("|")[1].endswith(BAR)


def test_steps_are_indented_under_their_parents() -> None:
    title, *rows = render(waterfall(TRACE), width=140).splitlines()[3:]
    column = title.index("step")
    assert rows[0].index("POST /v1/submissions") == column
    assert rows[1].index("insert") == column + 2
    assert rows[-1].index("smtp send") == column + 2 * 7


def test_a_failed_step_is_marked_and_says_what_went_wrong() -> None:
    failed = [line for line in render(waterfall(TRACE), width=140).splitlines() if line.startswith(ERROR_MARK)]
    assert len(failed) == 1
    assert "civicflow-identity" in failed[0] and "+60 ms" in failed[0] and "500 ms" in failed[0]
    assert failed[0].endswith("| TimeoutError (transient)")


def test_a_narrow_terminal_shortens_long_steps_but_keeps_every_column() -> None:
    rows = render(waterfall(TRACE), width=60).splitlines()[4:]
    agency = next(line for line in rows if "+1700 ms" in line)  # agency.koeln-gewerbe.submissions publish
    assert "  agenc… publish  +1700 ms" in agency and "8.0 ms" in agency and agency.count("|") == 2
    assert len({len(line) for line in rows if ERROR_MARK not in line}) == 1


def test_a_bar_sits_where_its_span_ran_and_a_short_span_still_shows() -> None:
    total = timedelta(milliseconds=100)
    assert bar(row(0, 100), total, 10) == BAR * 10
    assert bar(row(50, 20), total, 10) == " " * 5 + BAR * 2 + " " * 3
    assert bar(row(30, 0), total, 10) == " " * 3 + BAR + " " * 6
    assert bar(row(100, 0), total, 10) == " " * 9 + BAR
    assert bar(row(0, 0), timedelta(0), 4) == BAR + "   "


def test_durations_read_as_milliseconds_then_seconds() -> None:
    assert [duration_text(timedelta(milliseconds=value)) for value in (0, 3.14, 41.5, 999, 9999, 12_345)] == [
        "0.0 ms",
        "3.1 ms",
        "42 ms",
        "999 ms",
        "9999 ms",
        "12.3 s",
    ]
