"""A trace as a waterfall: one row per span, in start order, with its service, step, offset, duration and error.

Pure: it takes one trace of the Jaeger query API's JSON (an element of `data` in the answer of
`GET /api/traces/{trace_id}`) and draws nothing, so a terminal (`civicflow trace`) and a page draw the same rows.
Jaeger keeps an OpenTelemetry span's error status as the tag `error` = true and its description as
`otel.status_description`; our consumers also name the error's kind in `error.type` (OpenTelemetry's
semantic conventions) and what became of the message in `civicflow.disposition` (retried, dead-lettered, held).
"""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


# The API's own format, read as far as a waterfall needs: other fields are Jaeger's business, so ignored.
class _Tag(BaseModel):
    model_config = ConfigDict(extra="ignore")

    key: str
    value: Any = None


class _Reference(BaseModel):
    model_config = ConfigDict(extra="ignore", populate_by_name=True)

    ref_type: str = Field(alias="refType")
    span_id: str = Field(alias="spanID")


class _Span(BaseModel):
    model_config = ConfigDict(extra="ignore", populate_by_name=True)

    span_id: str = Field(alias="spanID")
    operation_name: str = Field(alias="operationName")
    references: list[_Reference] = []
    start_time: int = Field(alias="startTime")  # microseconds since the epoch
    duration: int  # microseconds
    tags: list[_Tag] = []
    process_id: str = Field(alias="processID")


class _Process(BaseModel):
    model_config = ConfigDict(extra="ignore", populate_by_name=True)

    service_name: str = Field(alias="serviceName")


class _Trace(BaseModel):
    model_config = ConfigDict(extra="ignore", populate_by_name=True)

    trace_id: str = Field(alias="traceID")
    spans: list[_Span]
    processes: dict[str, _Process]


@dataclass(frozen=True)
class Row:
    service: str
    step: str
    start: timedelta  # after the trace's first span started
    duration: timedelta
    depth: int  # 0 for a root span, its parent's depth + 1 otherwise
    error: str | None  # what went wrong, as far as the span says; None when nothing did
    span_id: str


@dataclass(frozen=True)
class Waterfall:
    trace_id: str
    rows: tuple[Row, ...]

    @property
    def duration(self) -> timedelta:
        """From the first span's start to the last span's end."""
        return max((row.start + row.duration for row in self.rows), default=timedelta(0))

    @property
    def services(self) -> list[str]:
        """The services in the order they first appear."""
        return list(dict.fromkeys(row.service for row in self.rows))


def waterfall(trace: Mapping[str, Any]) -> Waterfall:
    """The rows of one trace of the Jaeger query API, in start order (a parent before its children on a tie)."""
    parsed = _Trace.model_validate(trace)
    parents = {span.span_id: _parent(span) for span in parsed.spans}
    first = min((span.start_time for span in parsed.spans), default=0)
    rows = [
        Row(
            service=parsed.processes[span.process_id].service_name if span.process_id in parsed.processes else "?",
            step=span.operation_name,
            start=timedelta(microseconds=span.start_time - first),
            duration=timedelta(microseconds=span.duration),
            depth=_depth(span.span_id, parents),
            error=_error(span),
            span_id=span.span_id,
        )
        for span in parsed.spans
    ]
    return Waterfall(parsed.trace_id, tuple(sorted(rows, key=lambda row: (row.start, row.depth))))


def _parent(span: _Span) -> str | None:
    return next((ref.span_id for ref in span.references if ref.ref_type == "CHILD_OF"), None)


def _depth(span_id: str, parents: Mapping[str, str | None]) -> int:
    """How many known ancestors the span has; a parent missing from the trace (not exported yet) ends the count."""
    depth, seen = 0, {span_id}
    parent = parents.get(span_id)
    while parent is not None and parent in parents and parent not in seen:
        depth, seen = depth + 1, seen | {parent}
        parent = parents[parent]
    return depth


def _error(span: _Span) -> str | None:
    tags = {tag.key: tag.value for tag in span.tags}
    failed = tags.get("error") in (True, "true") or tags.get("otel.status_code") == "ERROR"
    if not failed and "error.type" not in tags:
        return None
    reason = str(tags.get("otel.status_description") or tags.get("error.type") or "error")
    disposition = tags.get("civicflow.disposition")  # what became of the message: retried, dead-lettered, held
    return f"{reason} ({disposition})" if disposition else reason
