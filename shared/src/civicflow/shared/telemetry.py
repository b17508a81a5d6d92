"""Tracing and logging set-up, done once per process by the service's composition root.

Spans: the HTTP request, each event's processing and publishing, the sending of a message, and store commands only
with CIVICFLOW_TRACE_STORE_COMMANDS=true (settings.TracingSettings says why). Exporting follows the standard OTEL_*
variables: with OTEL_EXPORTER_OTLP_ENDPOINT (or the traces-specific OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) set, spans
go out over OTLP/HTTP; without it nothing is exported.
Spans and logs never carry personal data: names, birth dates, e-mail and postal addresses stay out of them.
"""

import logging
import os
import time

from opentelemetry import trace
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.instrumentation.pymongo import PymongoInstrumentor
from opentelemetry.sdk.resources import SERVICE_NAME, Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor

from civicflow.shared.settings import TracingSettings

_LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s trace_id=%(trace_id)s span_id=%(span_id)s %(message)s"


def configure_tracing(default_service_name: str) -> TracerProvider:
    """Build this process's tracer provider and make it the global one (first call wins)."""
    current = trace.get_tracer_provider()
    if isinstance(current, TracerProvider):
        return current
    service_name = os.environ.get("OTEL_SERVICE_NAME", default_service_name)
    provider = TracerProvider(resource=Resource.create({SERVICE_NAME: service_name}))
    if os.environ.get("OTEL_EXPORTER_OTLP_ENDPOINT") or os.environ.get("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"):
        provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
    trace.set_tracer_provider(provider)
    if TracingSettings().store_commands:
        # Command names only: capture_statement stays off so no document content (personal data) lands in spans.
        PymongoInstrumentor().instrument(tracer_provider=provider)
    return provider


def flush_tracing() -> None:
    provider = trace.get_tracer_provider()
    if isinstance(provider, TracerProvider):
        provider.force_flush()


class _TraceContextFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        context = trace.get_current_span().get_span_context()
        record.trace_id = format(context.trace_id, "032x") if context.is_valid else "-"
        record.span_id = format(context.span_id, "016x") if context.is_valid else "-"
        return True


def configure_logging(level: str | None = None) -> None:
    handler = logging.StreamHandler()
    handler.addFilter(_TraceContextFilter())
    handler.setFormatter(logging.Formatter(_LOG_FORMAT))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level or os.environ.get("LOG_LEVEL", "INFO"))
    kafka_client = logging.getLogger("aiokafka")
    kafka_client.setLevel(logging.WARNING)
    # While the broker is away, each of a service's Kafka clients says so thousands of times a second.
    kafka_client.addFilter(RepeatLimiter(REPEAT_WINDOW_SECONDS))


REPEAT_WINDOW_SECONDS = 10.0


class RepeatLimiter(logging.Filter):
    """Lets a message through once per window (told apart by its text before formatting); the next one to pass
    says how many like it were held back."""

    def __init__(self, window_seconds: float) -> None:
        super().__init__()
        self._window = window_seconds
        self._last: dict[tuple[str, object], tuple[float, int]] = {}

    def filter(self, record: logging.LogRecord) -> bool:
        key = (record.name, record.msg)
        now = time.monotonic()
        passed_at, held = self._last.get(key, (float("-inf"), 0))
        if now - passed_at < self._window:
            self._last[key] = (passed_at, held + 1)
            return False
        self._last[key] = (now, 0)
        if held:
            record.msg = f"{record.msg} ({held} more like this held back)"
        return True
