"""A service started before Kafka is reachable waits for it instead of exiting, and says so in readiness."""

import asyncio
import time

import httpx
import pytest

from civicflow.local.layout import Layout
from civicflow.routing.config import RoutingSettings
from civicflow.routing.main import create_app
from civicflow.shared.settings import MongoSettings
from civicflow.shared.topics import ConsumerGroup
from tests.support.forwarder import Forwarder
from tests.support.ports import free_ports
from tests.support.sealing import made_keys

pytestmark = pytest.mark.integration


async def test_a_service_waits_for_kafka_and_is_not_ready_until_then(stack: Layout) -> None:
    (late_port,) = free_ports(1)
    routing = stack.kafka_as(str(ConsumerGroup.ROUTING))
    settings = RoutingSettings(
        kafka=routing.model_copy(update={"bootstrap_servers": f"127.0.0.1:{late_port}"}),
        mongo=MongoSettings(uri=stack.store_uri("civicflow_routing")),
        keys=made_keys(),
    )
    app = create_app(settings)
    host, port = stack.kafka_bootstrap.rsplit(":", 1)
    kafka_appears = Forwarder(late_port, host, int(port))
    client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://routing")
    async with app.router.lifespan_context(app), client:
        assert (await client.get("/health/live")).status_code == 200
        await asyncio.sleep(1.5)  # at least one failed attempt
        not_ready = await client.get("/health/ready")
        assert not_ready.status_code == 503 and not_ready.json()["checks"]["kafka"] is False

        await kafka_appears.start()
        deadline = time.monotonic() + 40
        while (await client.get("/health/ready")).status_code != 200:
            assert time.monotonic() < deadline, "never became ready after Kafka appeared"
            await asyncio.sleep(0.5)
    await kafka_appears.stop()
