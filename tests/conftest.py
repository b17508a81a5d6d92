"""For integration and e2e tests: the whole pipeline as separate processes (Kafka, PostgreSQL and FerretDB,
SMTP, Jaeger, the dev identity provider and the five services), started the way `make up` starts them, on free
ports under a temporary var/. Where KAFKA_BOOTSTRAP_SERVERS / MONGODB_URI / SMTP_HOST are set, those servers are
used and not started."""

import asyncio
from collections.abc import Iterator
from dataclasses import fields

import pytest

from civicflow.local.layout import Layout, Ports
from civicflow.local.stack import Stack
from tests.support.otlp import Collector, running_collector
from tests.support.ports import free_ports
from tests.support.provider_server import Provider, provider_env, running_provider
from tests.support.store import remove_postgres_data


@pytest.fixture(scope="session")
def collector() -> Iterator[Collector]:
    with running_collector() as running:
        yield running


# Retries a test can wait for: 1 s, 3 s and 6 s instead of 10 s, 1 min, 10 min and 1 h (notify's: instead of 30 s,
# 5 min, 30 min and then every hour for about eight hours).
SHORT_RETRIES = {
    "CIVICFLOW_RETRY_DELAYS_SECONDS": "[1, 3, 6]",
    "NOTIFY_RETRY_DELAYS_SECONDS": "[1, 3, 6]",
    "NOTIFY_RETRY_ATTEMPTS": "3",
}


@pytest.fixture(scope="session")
def provider() -> Iterator[Provider]:
    """The SMS provider and the citizens' portal notify's SMS and webhook channels send to, scripted by the tests."""
    with running_provider() as running:
        yield running


@pytest.fixture(scope="session")
def running_stack(
    tmp_path_factory: pytest.TempPathFactory, collector: Collector, provider: Provider
) -> Iterator[Stack]:
    """The stack itself, for tests that stop, crash and start its components; they leave it all running."""
    ports = Ports(*free_ports(len(fields(Ports))))
    layout = Layout.from_environment(ports=ports, var_dir=tmp_path_factory.mktemp("var"))
    collector.forward(layout.jaeger_otlp_url)  # on to the stack's Jaeger too, for `civicflow trace`
    running = Stack(layout, extra_env=collector.exporter_env() | SHORT_RETRIES | provider_env(provider))
    try:
        asyncio.run(running.up())
        yield running
    finally:
        running.down()
        remove_postgres_data(layout)


@pytest.fixture(scope="session")
def stack(running_stack: Stack) -> Layout:
    return running_stack.layout
