"""One span per event, in the trace its producer started, even when the event was fetched in a batch.

FastStream's middleware gives a fetched batch one span of its own, linked to every message in it (the
OpenTelemetry convention for batches); the work on each event belongs to that event's submission trace.
"""

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from uuid import UUID

from opentelemetry import propagate, trace
from opentelemetry.context import Context

from civicflow.shared.messaging.deliveries import Delivery

tracer = trace.get_tracer("civicflow.messaging")

# While a batch is handled at once: each event's processing span, by event id (processing_spans).
_BATCH_SPANS: ContextVar[dict[UUID, Context] | None] = ContextVar("civicflow_batch_spans", default=None)


def _attributes(delivery: Delivery, consumer_group: str) -> dict[str, str | int]:
    return {
        "messaging.system": "kafka",
        "messaging.operation.type": "process",
        "messaging.destination.name": delivery.source_topic,
        "messaging.consumer.group.name": consumer_group,
        "messaging.destination.partition.id": str(delivery.partition),
        "messaging.kafka.offset": delivery.offset,
        "civicflow.attempt": delivery.attempt,
    }


@contextmanager
def processing_span(delivery: Delivery, consumer_group: str) -> Iterator[trace.Span]:
    with tracer.start_as_current_span(
        f"{delivery.source_topic} process",
        context=propagate.extract(delivery.text_headers()),
        kind=trace.SpanKind.CONSUMER,
        attributes=_attributes(delivery, consumer_group),
        # An exception's message may quote the input: the span gets the error's kind, set by the caller.
        record_exception=False,
        set_status_on_exception=False,
    ) as span:
        yield span


def trace_carrier(event_id: UUID) -> dict[str, str]:
    """The W3C trace context (traceparent, tracestate) of the event's processing span, for work it leads to later
    (a message sent after a window): its span in a batch handled at once, else the current one."""
    carrier: dict[str, str] = {}
    propagate.inject(carrier, context=(_BATCH_SPANS.get() or {}).get(event_id))
    return carrier


@contextmanager
def processing_spans(deliveries: list[Delivery], consumer_group: str, event_ids: Sequence[UUID] = ()) -> Iterator[None]:
    """A span in each event's trace for work done for many events at once (one store write for a batch);
    `event_ids`, the events' in the same order, make each span's context known to trace_carrier."""
    spans = [
        tracer.start_span(
            f"{delivery.source_topic} process",
            context=propagate.extract(delivery.text_headers()),
            kind=trace.SpanKind.CONSUMER,
            attributes=_attributes(delivery, consumer_group) | {"messaging.batch.message_count": len(deliveries)},
        )
        for delivery in deliveries
    ]
    token = _BATCH_SPANS.set(
        {event_id: trace.set_span_in_context(span) for event_id, span in zip(event_ids, spans, strict=False)}
    )
    try:
        yield
    finally:
        _BATCH_SPANS.reset(token)
        for span in spans:
            span.end()
