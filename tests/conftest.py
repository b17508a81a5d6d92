"""For integration and e2e tests: the whole pipeline as separate processes (Kafka, PostgreSQL and FerretDB,
SMTP, the dev identity provider and the four services), started the way `make up` starts them, on free ports under a
temporary var/. Where KAFKA_BOOTSTRAP_SERVERS / MONGODB_URI / SMTP_HOST are set, those servers are used and
not started."""

import asyncio
from collections.abc import Iterator

import pytest

from civicflow.local.layout import Layout, Ports
from civicflow.local.stack import Stack
from tests.support.otlp import Collector, running_collector
from tests.support.ports import free_ports
from tests.support.store import remove_postgres_data


@pytest.fixture(scope="session")
def collector() -> Iterator[Collector]:
    with running_collector() as running:
        yield running


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory, collector: Collector) -> Iterator[Layout]:
    layout = Layout.from_environment(ports=Ports(*free_ports(10)), var_dir=tmp_path_factory.mktemp("var"))
    running = Stack(layout, extra_env=collector.exporter_env())
    try:
        asyncio.run(running.up())
        yield layout
    finally:
        running.down()
        remove_postgres_data(layout)
