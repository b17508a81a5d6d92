"""Remembering which events a consumer has acted on, so a redelivered event is not acted on twice.

No read before each write: a batch's event ids are claimed in one insert, and a duplicate key names an event
seen before. Only for those (a redelivery, rare) is there one lookup each, by _id, for whether it was done or
its last attempt stopped halfway. Done events are recorded in one insert per batch (or one per event, for
work that must not be repeated after a crash). Every lookup is by _id: FerretDB answers `$in` and ranges by
scanning the whole collection.

The ids expire (MongoDB would use a TTL index, FerretDB has none): a sweep now and then deletes the old ones.
"""

import asyncio
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Protocol
from uuid import UUID

from pymongo.asynchronous.database import AsyncDatabase

from civicflow.shared.mongo import Document, insert_new


class ProcessedEvents(Protocol):
    async def seen(self, event_ids: Sequence[UUID]) -> set[UUID]:
        """The ids among these that were acted on already; the others are claimed for acting on now."""

    async def add(self, event_ids: Sequence[UUID]) -> None:
        """Record these, claimed by seen() before, as acted on."""


class MongoProcessedEvents:
    def __init__(self, database: AsyncDatabase[Document], retention: timedelta) -> None:
        self._collection = database["processed_events"]
        self._retention = retention

    async def seen(self, event_ids: Sequence[UUID]) -> set[UUID]:
        if not event_ids:
            return set()
        claims = [{"_id": f"claim:{event_id}", "at": datetime.now(UTC)} for event_id in event_ids]
        claimed_before = [event_ids[index] for index in await insert_new(self._collection, claims)]
        done = await asyncio.gather(
            *(self._collection.find_one({"_id": f"done:{event_id}"}, {"_id": 1}) for event_id in claimed_before)
        )
        return {event_id for event_id, found in zip(claimed_before, done, strict=True) if found is not None}

    async def add(self, event_ids: Sequence[UUID]) -> None:
        if event_ids:
            now = datetime.now(UTC)
            await insert_new(self._collection, [{"_id": f"done:{event_id}", "at": now} for event_id in event_ids])

    async def forget_expired(self) -> None:
        """Drop ids older than the retention; run now and then (see Consumers.sweep)."""
        await self._collection.create_index("at")
        await self._collection.delete_many({"at": {"$lt": datetime.now(UTC) - self._retention}})
