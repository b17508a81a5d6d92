"""Remembering which events a consumer has acted on, so a redelivered event is not acted on twice.

One round trip asks for a whole batch, one insert records it: no read-before-write per event. The ids expire
(MongoDB would use a TTL index, FerretDB has none), so the collection does not grow with every application.
"""

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Protocol
from uuid import UUID

from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import BulkWriteError

from civicflow.shared.mongo import Document

DUPLICATE_KEY = 11000


class ProcessedEvents(Protocol):
    async def seen(self, event_ids: Sequence[UUID]) -> set[UUID]: ...

    async def add(self, event_ids: Sequence[UUID]) -> None: ...


class MongoProcessedEvents:
    def __init__(self, database: AsyncDatabase[Document], retention: timedelta) -> None:
        self._collection = database["processed_events"]
        self._retention = retention

    async def seen(self, event_ids: Sequence[UUID]) -> set[UUID]:
        if not event_ids:
            return set()
        found = self._collection.find({"_id": {"$in": [str(event_id) for event_id in event_ids]}}, {"_id": 1})
        return {UUID(document["_id"]) async for document in found}

    async def add(self, event_ids: Sequence[UUID]) -> None:
        if event_ids:
            now = datetime.now(UTC)
            await insert_new(self._collection, [{"_id": str(event_id), "at": now} for event_id in event_ids])

    async def forget_expired(self) -> None:
        """Drop ids older than the retention; run now and then (see app.periodically)."""
        await self._collection.create_index("at")
        await self._collection.delete_many({"at": {"$lt": datetime.now(UTC) - self._retention}})


async def insert_new(collection: AsyncCollection[Document], documents: list[Document]) -> None:
    """Insert what is new; a duplicate _id means another delivery got there first, which is the same outcome."""
    try:
        await collection.insert_many(documents, ordered=False)
    except BulkWriteError as error:
        problems = error.details.get("writeErrors") or [{}]
        if any(problem.get("code") != DUPLICATE_KEY for problem in problems):
            raise
