"""Ratings in MongoDB: one document per rated submission, its `_id` the submission id, so that a second rating is a
duplicate key (an insert is the one write FerretDB makes atomic for us; no read-then-write race). The document
holds the rating's ServiceRated event until the relay sent it (the outbox, as mongo_submissions keeps a
submission's first event). The comment is free text the citizen wrote: it is kept here and goes nowhere else."""

import asyncio
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from civicflow.intake.domain.outbox import OutgoingEvent
from civicflow.intake.domain.rating import Rating
from civicflow.shared.mongo import Document

COLLECTION = "ratings"


class MongoRatings:
    def __init__(self, database: AsyncDatabase[Document]) -> None:
        self._ratings = database[COLLECTION]

    async def prepare(self) -> None:
        await self._ratings.create_index("pending_since")
        await self._ratings.create_index("service_id")

    async def commented(self, service_id: str, since: datetime, until: datetime, limit: int) -> list[Rating]:
        # Equality on the indexed service id (FerretDB scans the collection for a range); the period is picked here.
        found = self._ratings.find({"service_id": service_id}, {"outbox": 0, "pending_since": 0})
        ratings = [_rating(document) async for document in found if document.get("comment")]
        within = [rating for rating in ratings if since <= _aware(rating.at) < until]
        return sorted(within, key=lambda rating: _aware(rating.at), reverse=True)[:limit]

    async def add(self, submission_id: UUID, rating: Rating, outgoing: OutgoingEvent) -> bool:
        document = {
            "_id": str(submission_id),
            "score": rating.score,
            "comment": rating.comment,
            "service_id": rating.service_id,
            "outcome": rating.outcome,
            "language": rating.language,
            "at": rating.at,
            "outbox": {
                "topic": outgoing.topic,
                "key": outgoing.key,
                "value": outgoing.value,
                "headers": outgoing.headers,
            },
            "pending_since": rating.at,
        }
        try:
            await self._ratings.insert_one(document)
        except DuplicateKeyError:
            return False
        return True

    async def get(self, submission_id: UUID) -> Rating | None:
        found = await self._ratings.find_one({"_id": str(submission_id)}, {"outbox": 0, "pending_since": 0})
        return None if found is None else _rating(found)

    async def pending(self, limit: int, older_than: datetime) -> list[OutgoingEvent]:
        """Oldest first. A whole scan on FerretDB: the relay only looks when it may have missed one."""
        found = self._ratings.find(
            {"pending_since": {"$lt": older_than}}, {"outbox": 1}, sort=[("pending_since", 1)], limit=limit
        )
        return [_outgoing(document) async for document in found]

    async def mark_sent(self, submission_ids: Sequence[UUID]) -> None:
        # One update by _id each, at once: FerretDB would answer an update_many with `$in` by a whole scan.
        sent = {"$unset": {"outbox": "", "pending_since": ""}}
        await asyncio.gather(*(self._ratings.update_one({"_id": str(each)}, sent) for each in submission_ids))

    async def forget_comments(self, written_before: datetime) -> int:
        # A range, so a scan on FerretDB, once an hour (retention.Retention); its update is by _id afterwards.
        found = self._ratings.update_many(
            {"at": {"$lt": written_before}, "comment": {"$ne": None}}, {"$set": {"comment": None}}
        )
        return (await found).modified_count

    async def mark_undeliverable(self, submission_id: UUID, reason: str) -> None:
        await self._ratings.update_one(
            {"_id": str(submission_id)}, {"$unset": {"pending_since": ""}, "$set": {"undeliverable": reason}}
        )


def _rating(found: dict[str, Any]) -> Rating:
    return Rating(
        found["score"], found["comment"], found["service_id"], found["outcome"], found["language"], found["at"]
    )


def _aware(at: datetime) -> datetime:
    """As the store gives it back (UTC, naive unless the client is tz-aware)."""
    return at if at.tzinfo else at.replace(tzinfo=UTC)


def _outgoing(document: dict[str, Any]) -> OutgoingEvent:
    outbox = document["outbox"]
    topic = outbox["topic"]  # as add() stored it, from the topics module
    return OutgoingEvent(UUID(document["_id"]), topic, outbox["key"], outbox["value"], outbox["headers"])
