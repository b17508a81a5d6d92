"""Each integration test of a store adapter gets a database of its own in the real document store (FerretDB over
PostgreSQL, or the MongoDB that MONGODB_URI names), dropped afterwards."""

from collections.abc import AsyncIterator
from typing import Any
from uuid import uuid4

import pytest
from pymongo import AsyncMongoClient
from pymongo.asynchronous.database import AsyncDatabase

from civicflow.local.layout import Layout


@pytest.fixture
async def database(stack: Layout) -> AsyncIterator[AsyncDatabase[dict[str, Any]]]:
    # As civicflow.shared.mongo.make_mongo_client makes the services' clients.
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(
        stack.mongo_uri, tz_aware=True, uuidRepresentation="standard"
    )
    name = f"test_{uuid4().hex[:12]}"
    yield client[name]
    await client.drop_database(name)
    await client.close()
