import asyncio
from typing import Any

from fastapi.testclient import TestClient
from faststream.kafka import KafkaBroker
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from prometheus_client import CollectorRegistry
from pymongo import AsyncMongoClient

from civicflow.shared.app import _start_when_reachable, make_service_app


def service_app(tracer_provider: TracerProvider | None = None) -> TestClient:
    never_connects: Any = AsyncMongoClient(connect=False)
    app = make_service_app(
        title="test",
        broker=KafkaBroker(),
        mongo=never_connects,
        tracer_provider=tracer_provider or TracerProvider(),
        metrics=CollectorRegistry(),
    )
    return TestClient(app)  # without `with`: the lifespan (broker, store) never starts


def test_a_request_is_one_span_without_spans_for_the_bodys_receive_and_send() -> None:
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    service_app(provider).get("/openapi.json")
    assert [span.name for span in exporter.get_finished_spans()] == ["GET /openapi.json"]


def test_every_answer_carries_the_security_headers() -> None:
    response = service_app().get("/health/live")
    assert response.headers["content-security-policy"].startswith("default-src 'none'")
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["referrer-policy"] == "no-referrer"


def test_no_interactive_docs_that_load_third_party_scripts() -> None:
    client = service_app()
    assert client.get("/docs").status_code == 404 and client.get("/redoc").status_code == 404
    assert client.get("/openapi.json").status_code == 200


class RecordingBroker:
    """Stands in for the broker's connection steps only: which were taken, in order."""

    def __init__(self) -> None:
        self.steps: list[str] = []

    async def connect(self) -> None:
        self.steps.append("connect")

    async def start(self) -> None:
        self.steps.append("start")

    async def stop(self) -> None:
        self.steps.append("stop")


async def test_the_subscribers_start_only_once_the_step_before_consuming_is_done() -> None:
    broker, registry_read = RecordingBroker(), asyncio.Event()
    can_publish, connected = asyncio.Event(), asyncio.Event()
    fake: Any = broker

    async def until_registry_read() -> None:
        await registry_read.wait()

    starting = asyncio.create_task(
        _start_when_reachable(fake, "test", can_publish, connected, before_consuming=until_registry_read)
    )
    await asyncio.wait_for(can_publish.wait(), timeout=5)  # background jobs may run: they fill the registry
    assert broker.steps == ["connect"] and not connected.is_set()
    registry_read.set()
    await asyncio.wait_for(starting, timeout=5)
    assert broker.steps == ["connect", "start"] and connected.is_set()
