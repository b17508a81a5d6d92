from typing import Any

from fastapi.testclient import TestClient
from faststream.kafka import KafkaBroker
from opentelemetry.sdk.trace import TracerProvider
from pymongo import AsyncMongoClient

from civicflow.shared.app import make_service_app


def service_app() -> TestClient:
    never_connects: Any = AsyncMongoClient(connect=False)
    app = make_service_app(title="test", broker=KafkaBroker(), mongo=never_connects, tracer_provider=TracerProvider())
    return TestClient(app)  # without `with`: the lifespan (broker, store) never starts


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
