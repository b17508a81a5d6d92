"""The span of a publish, on FastStream's in-memory broker: one per record, in the publisher's trace, and its context
in the record's headers for the consumer to continue."""

from typing import Any

from faststream.kafka import KafkaBroker, TestKafkaBroker
from faststream.kafka.annotations import KafkaMessage
from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

from civicflow.shared.kafka import PublishTracing


async def test_a_publish_is_one_span_in_the_current_trace_and_its_record_carries_that_span() -> None:
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    broker = KafkaBroker(middlewares=[PublishTracing(provider)])
    received: list[dict[str, Any]] = []

    @broker.subscriber("civicflow.test")
    async def on_record(body: Any, message: KafkaMessage) -> None:
        received.append(dict(message.headers))

    shared_headers = {"content-type": "application/json"}
    async with TestKafkaBroker(broker) as test:
        with provider.get_tracer("test").start_as_current_span("step") as step:
            await test.publish(b"{}", topic="civicflow.test", key=b"k", headers=shared_headers)

    publish = next(span for span in exporter.get_finished_spans() if span.name != "step")
    assert [span.name for span in exporter.get_finished_spans()] == ["civicflow.test publish", "step"]
    assert publish.kind is trace.SpanKind.PRODUCER and publish.attributes is not None
    assert publish.attributes["messaging.destination.name"] == "civicflow.test"
    assert publish.parent is not None and publish.parent.span_id == step.get_span_context().span_id
    (headers,) = received
    assert shared_headers == {"content-type": "application/json"}  # the caller's dict is not written into
    carried = trace.get_current_span(TraceContextTextMapPropagator().extract(headers)).get_span_context()
    assert publish.context is not None
    assert (carried.trace_id, carried.span_id) == (publish.context.trace_id, publish.context.span_id)
