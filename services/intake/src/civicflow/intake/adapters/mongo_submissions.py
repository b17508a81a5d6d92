"""Submissions in MongoDB: one document per submission, holding its pending event until the relay sent it (the
outbox), and one document per timeline entry, keyed by its event id, so a redelivered event is one duplicate
key in one batch insert instead of a read and an update per event; and one per closed application whose details
are kept yet (retention.Retention)."""

import asyncio
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from civicflow.intake.adapters.mongo_ratings import COLLECTION as RATINGS
from civicflow.intake.domain.idempotency import RETENTION_HOURS, Claim
from civicflow.intake.domain.outbox import OutgoingEvent
from civicflow.intake.domain.retention import Closing
from civicflow.intake.domain.submission import SubmissionRecord, TimelineEntry
from civicflow.shared.events import Step
from civicflow.shared.mongo import Document, insert_new


class MongoSubmissions:
    def __init__(self, database: AsyncDatabase[Document]) -> None:
        self._submissions = database["submissions"]
        self._timeline = database["timeline"]
        self._claims = database["idempotency_keys"]
        # {_id: submission id, at}: applications closed whose details are kept yet (retention.Retention).
        self._closed = database["closed"]
        self._ratings = database[RATINGS]  # a rating's comment is the submission's too (anonymise)

    async def prepare(self) -> None:
        await self._timeline.create_index("submission_id")
        await self._submissions.create_index("pending_since")
        await self._claims.create_index("created_at")

    async def add(self, record: SubmissionRecord, outgoing: OutgoingEvent) -> bool:
        document = record.model_dump(mode="json", exclude={"submission_id", "timeline"})
        (received,) = record.timeline
        document |= {
            "_id": str(record.submission_id),
            "received_at": record.received_at,
            "received": _entry_document(received),
            "outbox": {
                "topic": outgoing.topic,
                "key": outgoing.key,
                "value": outgoing.value,
                "headers": outgoing.headers,
            },
            "pending_since": record.received_at,
        }
        try:
            await self._submissions.insert_one(document)
        except DuplicateKeyError:
            return False
        return True

    async def claim(self, claim: Claim) -> Claim | None:
        document = {
            "_id": claim.key_id,
            "body_hash": claim.body_hash,
            "submission_id": str(claim.submission_id),
            "sealed_token": claim.sealed_token,
            "created_at": claim.created_at,
        }
        try:
            await self._claims.insert_one(document)
        except DuplicateKeyError:
            found = await self._claims.find_one({"_id": claim.key_id})
            if found is None:  # swept between the two calls: the key is free again
                return await self.claim(claim)
            return Claim(
                found["_id"],
                found["body_hash"],
                UUID(found["submission_id"]),
                found["sealed_token"],
                found["created_at"],
            )
        return None

    async def forget_claims(self) -> None:
        """A background job: forget idempotency keys older than their retention, every hour (FerretDB has no TTL
        index; the range query scans the collection, once an hour)."""
        while True:
            cutoff = datetime.now(UTC) - timedelta(hours=RETENTION_HOURS)
            await self._claims.delete_many({"created_at": {"$lt": cutoff}})
            await asyncio.sleep(3600)

    async def get(self, submission_id: UUID) -> SubmissionRecord | None:
        document = await self._submissions.find_one({"_id": str(submission_id)}, {"outbox": 0, "pending_since": 0})
        if document is None:
            return None
        entries = [document.pop("received")]
        entries += [entry async for entry in self._timeline.find({"submission_id": str(submission_id)})]
        document.pop("undeliverable", None)
        document["submission_id"] = document.pop("_id")
        document["timeline"] = [_entry(entry) for entry in entries]
        return SubmissionRecord.model_validate(document)

    async def record_steps(self, entries: Sequence[TimelineEntry]) -> None:
        if entries:
            await insert_new(self._timeline, [_entry_document(entry) for entry in entries])

    async def pending(self, limit: int, older_than: datetime) -> list[OutgoingEvent]:
        """Oldest first. A whole scan on FerretDB: the relay only looks when it may have missed one."""
        found = self._submissions.find(
            {"pending_since": {"$lt": older_than}}, {"outbox": 1}, sort=[("pending_since", 1)], limit=limit
        )
        return [_outgoing(document) async for document in found]

    async def mark_sent(self, submission_ids: Sequence[UUID]) -> None:
        # One update by _id each, at once: FerretDB would answer an update_many with `$in` by a whole scan.
        sent = {"$unset": {"outbox": "", "pending_since": ""}}
        await asyncio.gather(
            *(self._submissions.update_one({"_id": str(submission_id)}, sent) for submission_id in submission_ids)
        )

    async def anonymise(self, submission_ids: Sequence[UUID]) -> None:
        # A submission is linked to its citizen only once identity verified it, so its event was published before.
        await self._unset_details(submission_ids)
        # What the citizen wrote with their rating is free text, perhaps personal: gone too; the score stays.
        await asyncio.gather(
            *(self._ratings.update_one({"_id": str(each)}, {"$set": {"comment": None}}) for each in submission_ids)
        )

    async def note_closed(self, closings: Sequence[Closing]) -> None:
        # Keyed by the submission: the first closing counts, a redelivery adds nothing.
        if closings:
            await insert_new(self._closed, [{"_id": str(each.submission_id), "at": each.at} for each in closings])

    async def closed_before(self, moment: datetime, limit: int) -> list[UUID]:
        # A range, so a scan on FerretDB; "closed" holds only the applications closed within the retention.
        found = self._closed.find({"at": {"$lt": moment}}, {"_id": 1}, limit=limit)
        return [UUID(document["_id"]) async for document in found]

    async def forget_details(self, submission_ids: Sequence[UUID]) -> None:
        await self._unset_details(submission_ids)
        await asyncio.gather(*(self._closed.delete_one({"_id": str(each)}) for each in submission_ids))

    async def _unset_details(self, submission_ids: Sequence[UUID]) -> None:
        # One update by _id each, as in mark_sent. The outbox holds the sealed applicant and form.
        personal = {"$unset": {"applicant": "", "form": "", "outbox": "", "pending_since": ""}}
        await asyncio.gather(
            *(self._submissions.update_one({"_id": str(submission_id)}, personal) for submission_id in submission_ids)
        )
        # The letters in the timeline: the agency's words (its decision's reason) and the citizen's own (their
        # answers). By the indexed submission id and the step; the steps themselves stay.
        letters = ((Step.DECIDED, "detail.reason"), (Step.INFORMATION_PROVIDED, "detail.answer"))
        await asyncio.gather(
            *(
                self._timeline.update_many({"submission_id": str(each), "step": str(step)}, {"$unset": {field: ""}})
                for each in submission_ids
                for step, field in letters
            )
        )

    async def mark_undeliverable(self, submission_id: UUID, reason: str) -> None:
        await self._submissions.update_one(
            {"_id": str(submission_id)}, {"$unset": {"pending_since": ""}, "$set": {"undeliverable": reason}}
        )


def _entry_document(entry: TimelineEntry) -> dict[str, Any]:
    document = entry.model_dump(mode="json", exclude={"event_id"})
    document |= {"_id": str(entry.event_id), "at": entry.at}
    return document


def _entry(document: dict[str, Any]) -> TimelineEntry:
    document["event_id"] = document.pop("_id")
    return TimelineEntry.model_validate(document)


def _outgoing(document: dict[str, Any]) -> OutgoingEvent:
    outbox = document["outbox"]
    topic = outbox["topic"]  # as add() stored it, from the topics module
    return OutgoingEvent(UUID(document["_id"]), topic, outbox["key"], outbox["value"], outbox["headers"])
