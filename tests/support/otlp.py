"""A real OTLP/HTTP trace receiver for tests: the services export to it exactly as to a collector. It passes
each request on to the stack's Jaeger too (`forward`), as a collector's OTLP exporter would, so that
`civicflow trace` finds the same spans the tests assert on."""

import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (
    ExportTraceServiceRequest,
    ExportTraceServiceResponse,
)


@dataclass(frozen=True)
class Span:
    service: str
    name: str
    trace_id: str
    span_id: str
    parent_span_id: str
    kind: int
    attributes: dict[str, Any]


class Collector:
    def __init__(self) -> None:
        self.spans: list[Span] = []
        self._lock = threading.Lock()
        self.url = ""
        self.forward_url: str | None = None
        # Requests Jaeger did not take, with its answer: a test that reads traces from Jaeger names them.
        self.forward_failures: list[str] = []

    def forward(self, otlp_endpoint: str) -> None:
        """Pass every request received from now on to this OTLP/HTTP endpoint (as OTEL_EXPORTER_OTLP_ENDPOINT)."""
        self.forward_url = f"{otlp_endpoint.rstrip('/')}/v1/traces"

    def pass_on(self, body: bytes) -> None:
        if self.forward_url is None:
            return
        request = urllib.request.Request(  # noqa: S310 - a loopback address the stack chose
            self.forward_url, data=body, headers={"Content-Type": "application/x-protobuf"}, method="POST"
        )
        try:
            with urllib.request.urlopen(request, timeout=5) as answer:  # noqa: S310
                answer.read()
        except (urllib.error.URLError, OSError) as error:
            with self._lock:
                self.forward_failures.append(f"{self.forward_url}: {error}")

    def receive(self, body: bytes) -> None:
        request = ExportTraceServiceRequest()
        request.ParseFromString(body)
        received = []
        for resource_spans in request.resource_spans:
            resource = {a.key: a.value.string_value for a in resource_spans.resource.attributes}
            for scope_spans in resource_spans.scope_spans:
                for span in scope_spans.spans:
                    received.append(
                        Span(
                            service=resource.get("service.name", ""),
                            name=span.name,
                            trace_id=span.trace_id.hex(),
                            span_id=span.span_id.hex(),
                            parent_span_id=span.parent_span_id.hex(),
                            kind=span.kind,
                            attributes={a.key: _value(a.value) for a in span.attributes},
                        )
                    )
        with self._lock:
            self.spans.extend(received)

    def exporter_env(self) -> dict[str, str]:
        """The environment that makes a service export its spans here."""
        return {
            "OTEL_EXPORTER_OTLP_ENDPOINT": self.url,
            "OTEL_EXPORTER_OTLP_PROTOCOL": "http/protobuf",
            "OTEL_BSP_SCHEDULE_DELAY": "100",
            # The tests look at the store's spans too (off by default: settings.TracingSettings).
            "CIVICFLOW_TRACE_STORE_COMMANDS": "true",
        }

    def trace(self, trace_id: str) -> list[Span]:
        with self._lock:
            return [span for span in self.spans if span.trace_id == trace_id]


def _value(value: Any) -> Any:
    kind = value.WhichOneof("value")
    return getattr(value, kind) if kind else None


@contextmanager
def running_collector() -> Iterator[Collector]:
    collector = Collector()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            received = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            collector.receive(received)
            body = ExportTraceServiceResponse().SerializeToString()
            self.send_response(200)
            self.send_header("Content-Type", "application/x-protobuf")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            self.wfile.flush()
            collector.pass_on(received)  # after the answer: the service's exporter does not wait for Jaeger

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    collector.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield collector
    finally:
        server.shutdown()
