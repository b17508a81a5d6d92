"""deploy/local/jaeger, started as `make up` starts it: it takes spans over OTLP/HTTP as the services export them,
and its query API gives them back as `civicflow trace` reads them; a trace it does not hold is no trace, and a
Jaeger that is not running says so."""

import asyncio
from pathlib import Path

import pytest
from opentelemetry import trace
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor

from civicflow.local.layout import Layout, Ports, repository_root
from civicflow.local.stack import Stack, trace_store
from civicflow.shared.traces.jaeger import JaegerUnreachable, fetch_trace
from civicflow.shared.traces.waterfall import waterfall
from tests.support.journeys import eventually
from tests.support.ports import free_ports

pytestmark = pytest.mark.integration


async def test_spans_exported_over_otlp_come_back_as_one_waterfall(tmp_path: Path) -> None:
    otlp, query = free_ports(2)
    layout = Layout(root=repository_root(), var_dir=tmp_path / "var", ports=Ports(jaeger_otlp=otlp, jaeger_query=query))
    stack = Stack(layout, say=lambda _: None, parts=[trace_store(layout)])
    try:
        await stack.up()
        trace_id = await asyncio.to_thread(export_two_services, layout.jaeger_otlp_url)
        found = await eventually(
            lambda: fetch_trace(layout.jaeger_query_url, trace_id),
            lambda answer: answer is not None and len(answer["spans"]) == 3,
            timeout=20.0,
        )
        assert found is not None
        rows = waterfall(found).rows
        assert [(row.service, row.step, row.depth, row.error) for row in rows] == [
            ("civicflow-intake", "POST /v1/submissions", 0, None),
            ("civicflow-intake", "civicflow.submission.received.v1 publish", 1, None),
            ("civicflow-notify", "smtp send", 2, "SMTPServerDisconnected (transient)"),
        ]
        assert await fetch_trace(layout.jaeger_query_url, "0" * 31 + "1") is None
    finally:
        stack.down()
    with pytest.raises(JaegerUnreachable):
        await fetch_trace(layout.jaeger_query_url, trace_id)


def export_two_services(endpoint: str) -> str:
    """A request in intake, its publication, and notify's failed send after it, each service with its own
    provider and exporter, as the services' processes have; the trace's id, as intake stores it."""
    providers = {
        name: TracerProvider(resource=Resource.create({"service.name": name}))
        for name in ("civicflow-intake", "civicflow-notify")
    }
    for provider in providers.values():
        provider.add_span_processor(SimpleSpanProcessor(OTLPSpanExporter(endpoint=f"{endpoint}/v1/traces")))
    intake, notify = (providers[name].get_tracer("civicflow") for name in ("civicflow-intake", "civicflow-notify"))
    with (
        intake.start_as_current_span("POST /v1/submissions", kind=trace.SpanKind.SERVER) as request,
        intake.start_as_current_span("civicflow.submission.received.v1 publish", kind=trace.SpanKind.PRODUCER),
        notify.start_as_current_span("smtp send", kind=trace.SpanKind.CLIENT) as send,
    ):
        send.set_attribute("error.type", "SMTPServerDisconnected")
        send.set_attribute("civicflow.disposition", "transient")
        send.set_status(trace.StatusCode.ERROR)
    for provider in providers.values():
        provider.shutdown()
    return format(request.get_span_context().trace_id, "032x")
