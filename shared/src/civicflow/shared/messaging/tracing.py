"""One span per event, in the trace its producer started, even when the event was fetched in a batch.

FastStream's middleware gives a fetched batch one span of its own, linked to every message in it (the
OpenTelemetry convention for batches); the work on each event belongs to that event's submission trace.
"""

from collections.abc import Iterator
from contextlib import contextmanager

from opentelemetry import propagate, trace

from civicflow.shared.messaging.deliveries import Delivery

tracer = trace.get_tracer("civicflow.messaging")


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


@contextmanager
def processing_spans(deliveries: list[Delivery], consumer_group: str) -> Iterator[None]:
    """A span in each event's trace for work done for many events at once (one store write for a batch)."""
    spans = [
        tracer.start_span(
            f"{delivery.source_topic} process",
            context=propagate.extract(delivery.text_headers()),
            kind=trace.SpanKind.CONSUMER,
            attributes=_attributes(delivery, consumer_group) | {"messaging.batch.message_count": len(deliveries)},
        )
        for delivery in deliveries
    ]
    try:
        yield
    finally:
        for span in spans:
            span.end()
