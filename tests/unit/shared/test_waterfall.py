"""The waterfall model, from a trace as Jaeger's query API answers it (recorded from Jaeger v2, built from
github.com/jaegertracing/jaeger v1.76.0, for spans of four services with one failed and retried step)."""

import copy
import json
from datetime import timedelta
from pathlib import Path
from typing import Any

from civicflow.shared.traces.waterfall import waterfall

RECORDED = Path(__file__).with_name("jaeger_trace.json")


def recorded() -> dict[str, Any]:
    answer: dict[str, Any] = json.loads(RECORDED.read_text())
    trace: dict[str, Any] = answer["data"][0]
    return trace


def ms(value: float) -> timedelta:
    return timedelta(milliseconds=value)


def test_one_row_per_span_in_start_order_with_its_service_step_offset_and_duration() -> None:
    fall = waterfall(recorded())
    assert [(row.service, row.step, row.start, row.duration) for row in fall.rows] == [
        ("civicflow-intake", "POST /v1/submissions", ms(0), ms(41.5)),
        ("civicflow-intake", "insert", ms(6.2), ms(3.1)),
        ("civicflow-intake", "civicflow.submission.received.v1 publish", ms(44), ms(7)),
        ("civicflow-identity", "civicflow.submission.received.v1 process", ms(60), ms(500)),
        ("civicflow-identity", "civicflow.submission.received.v1 process", ms(1580), ms(60)),
        ("civicflow-identity", "find", ms(1590), ms(4)),
        ("civicflow-identity", "civicflow.identity.verified.v1 publish", ms(1630), ms(6)),
        ("civicflow-routing", "civicflow.identity.verified.v1 process", ms(1650), ms(70)),
        ("civicflow-routing", "agency.koeln-gewerbe.submissions publish", ms(1700), ms(8)),
        ("civicflow-routing", "civicflow.routing.routed.v1 publish", ms(1710), ms(6)),
        ("civicflow-intake", "civicflow.routing.routed.v1 process", ms(1725), ms(15)),
        ("civicflow-notify", "civicflow.routing.routed.v1 process", ms(1730), ms(30)),
        ("civicflow-notify", "smtp send", ms(4760), ms(30)),
    ]
    assert fall.trace_id == recorded()["traceID"]
    assert fall.duration == ms(4790)
    assert fall.services == ["civicflow-intake", "civicflow-identity", "civicflow-routing", "civicflow-notify"]


def test_each_row_is_as_deep_as_its_chain_of_parents() -> None:
    depths = {(row.service, row.step, row.start): row.depth for row in waterfall(recorded()).rows}
    assert depths[("civicflow-intake", "POST /v1/submissions", ms(0))] == 0
    assert depths[("civicflow-intake", "insert", ms(6.2))] == 1
    assert depths[("civicflow-identity", "civicflow.submission.received.v1 process", ms(1580))] == 2
    assert depths[("civicflow-notify", "smtp send", ms(4760))] == 7


def test_a_failed_span_names_the_errors_kind_and_what_became_of_the_message() -> None:
    failed = [(row.step, row.start, row.error) for row in waterfall(recorded()).rows if row.error is not None]
    assert failed == [("civicflow.submission.received.v1 process", ms(60), "TimeoutError (transient)")]


def test_the_status_description_is_the_error_when_a_span_has_one() -> None:
    trace = recorded()
    smtp = next(span for span in trace["spans"] if span["operationName"] == "smtp send")
    smtp["tags"] += [
        {"key": "error", "type": "bool", "value": True},
        {"key": "otel.status_description", "type": "string", "value": "connection refused"},
    ]
    (row,) = [row for row in waterfall(trace).rows if row.step == "smtp send"]
    assert row.error == "connection refused"


def test_spans_whose_parent_has_not_arrived_yet_start_at_the_top() -> None:
    trace = copy.deepcopy(recorded())
    trace["spans"] = [span for span in trace["spans"] if span["operationName"] != "POST /v1/submissions"]
    rows = waterfall(trace).rows
    assert (rows[0].step, rows[0].start, rows[0].depth) == ("insert", ms(0), 0)
    assert [row.depth for row in rows if row.step == "smtp send"] == [6]


def test_an_empty_trace_has_no_rows() -> None:
    fall = waterfall({"traceID": "0" * 32, "spans": [], "processes": {}})
    assert (fall.rows, fall.duration, fall.services) == ((), timedelta(0), [])
