"""/metrics of the HTTP shell every service runs in: the text exposition Prometheus parses, requests counted by
route template (never by raw path), one registry per app, and the consumer lag measured at scrape time."""

from dataclasses import dataclass, field
from typing import Any

from aiokafka import TopicPartition
from aiokafka.errors import IllegalStateError
from fastapi.testclient import TestClient
from faststream.kafka import KafkaBroker
from opentelemetry.sdk.trace import TracerProvider
from prometheus_client import CollectorRegistry
from pymongo import AsyncMongoClient

from civicflow.shared.app import SECURITY_HEADERS, make_service_app
from civicflow.shared.metrics import ConsumerLag
from civicflow.shared.metrics.http import UNMATCHED_ROUTE
from tests.support.metrics import families, total

REQUESTS = "http_server_request_duration_seconds_count"


def service_app() -> TestClient:
    never_connects: Any = AsyncMongoClient(connect=False)
    app = make_service_app(
        title="test",
        broker=KafkaBroker(),
        mongo=never_connects,
        tracer_provider=TracerProvider(),
        metrics=CollectorRegistry(),
    )

    @app.get("/things/{thing_id}")
    async def thing(thing_id: str) -> dict[str, str]:
        return {"thing": thing_id}

    return TestClient(app, raise_server_exceptions=False)  # without `with`: the lifespan never starts


def test_metrics_are_served_as_prometheus_text_with_the_security_headers() -> None:
    client = service_app()
    client.get("/health/live")
    answer = client.get("/metrics")
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/plain")
    assert all(answer.headers[name] == value for name, value in SECURITY_HEADERS.items())
    found = families(answer.text)
    assert {"http_server_request_duration_seconds", "kafka_consumergroup_lag"} <= found.keys()
    assert {"faststream_received_messages", "faststream_published_messages"}.isdisjoint(found)  # not this broker's
    assert total(found, REQUESTS, http_request_method="GET", http_route="/health/live", http_response_status_code="200")


def test_requests_are_counted_by_route_template_and_an_unknown_path_under_one_label() -> None:
    client = service_app()
    client.get("/things/erika-mustermann")
    client.get("/nowhere/erika-mustermann")
    client.request("BREW", "/things/1")
    answer = client.get("/metrics")
    assert "erika" not in answer.text  # a raw path may hold an id or a name
    found = families(answer.text)
    assert total(found, REQUESTS, http_route="/things/{thing_id}", http_response_status_code="200") == 1
    assert total(found, REQUESTS, http_route=UNMATCHED_ROUTE, http_response_status_code="404") == 1
    assert total(found, REQUESTS, http_request_method="_OTHER") == 1  # not HTTP's own: one label for all


def test_openmetrics_for_a_scraper_that_asks_for_it() -> None:
    answer = service_app().get("/metrics", headers={"Accept": "application/openmetrics-text; version=1.0.0"})
    assert answer.headers["content-type"].startswith("application/openmetrics-text")
    assert answer.text.endswith("# EOF\n")


def test_each_app_has_a_registry_of_its_own() -> None:
    first, second = service_app(), service_app()  # in one process, as the tests build them
    first.get("/health/live")
    assert total(families(second.get("/metrics").text), REQUESTS, http_route="/health/live") == 0


@dataclass
class HeldPartitions:
    """Stands in for an aiokafka consumer's bookkeeping only: its partitions, each's highwater and position."""

    highwaters: dict[TopicPartition, int | None]
    positions: dict[TopicPartition, int] = field(default_factory=dict)

    def assignment(self) -> set[TopicPartition]:
        return set(self.highwaters)

    def highwater(self, partition: TopicPartition) -> int | None:
        return self.highwaters[partition]

    async def position(self, partition: TopicPartition) -> int:
        if partition not in self.positions:
            raise IllegalStateError(f"Partition {partition} is not assigned")
        return self.positions[partition]


@dataclass
class Subscriber:
    group_id: str
    consumer: HeldPartitions | None


@dataclass
class Subscribers:
    subscribers: list[Subscriber]


async def test_the_lag_is_the_highwater_minus_the_position_of_each_partition_held_now() -> None:
    first, second, unfetched = (TopicPartition("civicflow.a.v1", n) for n in (0, 1, 2))
    held = HeldPartitions({first: 120, second: 7, unfetched: None}, {first: 100, second: 7, unfetched: 0})
    broker: Any = Subscribers([Subscriber("civicflow-routing.civicflow.a.v1", held), Subscriber("stopped", None)])
    registry = CollectorRegistry()
    lag = ConsumerLag(broker, registry)
    await lag.measure()

    def lag_of(partition: TopicPartition) -> float | None:
        labels = {"consumergroup": "civicflow-routing.civicflow.a.v1", "topic": partition.topic}
        return registry.get_sample_value("kafka_consumergroup_lag", labels | {"partition": str(partition.partition)})

    assert (lag_of(first), lag_of(second), lag_of(unfetched)) == (20, 0, None)  # nothing fetched: no highwater yet
    held.highwaters = {second: 9}  # the first partition went to another instance in a rebalance
    await lag.measure()
    assert (lag_of(first), lag_of(second)) == (None, 2)
