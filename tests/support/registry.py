"""The agency registry on the real stack: the version routing follows, a changed one to publish, and waiting until
routing has taken a version (it logs the offset of each version it applies)."""

import asyncio
import time
from typing import Any

from pymongo import AsyncMongoClient

from civicflow.local.layout import Layout
from civicflow.routing.adapters.kafka_registry import read_current
from civicflow.routing.adapters.mongo_deliveries import COLLECTION as DELIVERIES
from civicflow.routing.config import DEFAULT_DATABASE as ROUTING_DATABASE
from civicflow.routing.domain.registry import AgencyRegistry


async def published(layout: Layout) -> AgencyRegistry:
    current = await read_current(layout.kafka_admin)
    assert current is not None, "the stack published no agency registry"
    return current


def document(registry: AgencyRegistry) -> dict[str, Any]:
    """The registry as a file would hold it."""
    return {"agencies": [agency.model_dump(mode="json", exclude_none=True) for agency in registry.agencies()]}


async def until_routing_applied(layout: Layout, offset: int | None, timeout_seconds: float = 30.0) -> None:
    assert offset is not None, "nothing was published"
    log = layout.var_dir / "log" / "routing.log"
    wanted = f"agency registry at offset {offset} applied"
    deadline = time.monotonic() + timeout_seconds
    while wanted not in log.read_text(errors="replace"):
        assert time.monotonic() < deadline, f"routing did not apply the registry at offset {offset}"
        await asyncio.sleep(0.2)


def deliveries(layout: Layout) -> tuple[AsyncMongoClient[dict[str, Any]], Any]:
    """Routing's deliveries (one per delivered application, open until its agency decides), and the client to
    close."""
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(layout.mongo_uri)
    return client, client[ROUTING_DATABASE][DELIVERIES]
