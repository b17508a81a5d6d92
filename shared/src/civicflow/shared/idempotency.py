"""Remembering which events a consumer has already acted on, so a redelivered event is not acted on twice."""

import contextlib
from typing import Protocol
from uuid import UUID

from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from civicflow.shared.mongo import Document


class ProcessedEvents(Protocol):
    async def contains(self, event_id: UUID) -> bool: ...

    async def add(self, event_id: UUID) -> None: ...


class MongoProcessedEvents:
    def __init__(self, database: AsyncDatabase[Document]) -> None:
        self._collection = database["processed_events"]

    async def contains(self, event_id: UUID) -> bool:
        return await self._collection.find_one({"_id": str(event_id)}, projection={"_id": 1}) is not None

    async def add(self, event_id: UUID) -> None:
        # A duplicate means another delivery of the same event finished first: the outcome is the same.
        with contextlib.suppress(DuplicateKeyError):
            await self._collection.insert_one({"_id": str(event_id)})
