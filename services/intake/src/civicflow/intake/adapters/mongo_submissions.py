"""Submissions in MongoDB: one document per submission, its timeline embedded."""

from typing import Any
from uuid import UUID

from pymongo.asynchronous.database import AsyncDatabase

from civicflow.intake.domain.submission import STATUS_RANK, SubmissionRecord, TimelineEntry
from civicflow.shared.mongo import Document


class MongoSubmissions:
    def __init__(self, database: AsyncDatabase[Document]) -> None:
        self._collection = database["submissions"]

    async def add(self, record: SubmissionRecord) -> None:
        document = record.model_dump(mode="json", exclude={"submission_id", "timeline"})
        document["_id"] = str(record.submission_id)
        document["received_at"] = record.received_at
        document["status_rank"] = STATUS_RANK[record.status]
        document["timeline"] = [_entry_document(entry) for entry in record.timeline]
        await self._collection.insert_one(document)

    async def remove(self, submission_id: UUID) -> None:
        await self._collection.delete_one({"_id": str(submission_id)})

    async def get(self, submission_id: UUID) -> SubmissionRecord | None:
        document = await self._collection.find_one({"_id": str(submission_id)})
        if document is None:
            return None
        document["submission_id"] = document.pop("_id")
        document.pop("status_rank", None)
        return SubmissionRecord.model_validate(document)

    async def record_step(self, submission_id: UUID, entry: TimelineEntry) -> bool:
        """Add the entry once (a redelivered event is skipped) and move the status forward, never back."""
        key = str(submission_id)
        if await self._collection.count_documents({"_id": key}, limit=1) == 0:
            return False
        await self._collection.update_one(
            {"_id": key, "timeline.event_id": {"$ne": str(entry.event_id)}},
            {"$push": {"timeline": _entry_document(entry)}},
        )
        rank = STATUS_RANK.get(entry.step)
        if rank is not None:
            await self._collection.update_one(
                {"_id": key, "status_rank": {"$lt": rank}},
                {"$set": {"status": entry.step, "status_rank": rank}},
            )
        return True


def _entry_document(entry: TimelineEntry) -> dict[str, Any]:
    document = entry.model_dump(mode="json")
    document["at"] = entry.at
    return document
