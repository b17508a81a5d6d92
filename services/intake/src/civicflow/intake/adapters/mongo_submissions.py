"""Submissions in MongoDB: one document per submission, its timeline embedded."""

from typing import Any
from uuid import UUID

from pymongo.asynchronous.database import AsyncDatabase

from civicflow.intake.domain.submission import SubmissionRecord, TimelineEntry
from civicflow.shared.mongo import Document


class MongoSubmissions:
    def __init__(self, database: AsyncDatabase[Document]) -> None:
        self._collection = database["submissions"]

    async def add(self, record: SubmissionRecord) -> None:
        document = record.model_dump(mode="json", exclude={"submission_id", "timeline"})
        document["_id"] = str(record.submission_id)
        document["received_at"] = record.received_at
        document["timeline"] = [_entry_document(entry) for entry in record.timeline]
        document["event_ids"] = [str(entry.event_id) for entry in record.timeline]
        await self._collection.insert_one(document)

    async def remove(self, submission_id: UUID) -> None:
        await self._collection.delete_one({"_id": str(submission_id)})

    async def get(self, submission_id: UUID) -> SubmissionRecord | None:
        document = await self._collection.find_one({"_id": str(submission_id)})
        if document is None:
            return None
        document["submission_id"] = document.pop("_id")
        document.pop("event_ids", None)
        return SubmissionRecord.model_validate(document)

    async def record_step(self, submission_id: UUID, entry: TimelineEntry) -> bool:
        """Add the entry once: a redelivered event (same event id) is skipped. False for an unknown submission."""
        key = str(submission_id)
        # A flat list of event ids, not "timeline.event_id": FerretDB 1.24 matches $ne on a path into an
        # array of documents if any element differs, which would let a redelivered event in twice.
        result = await self._collection.update_one(
            {"_id": key, "event_ids": {"$ne": str(entry.event_id)}},
            {"$push": {"timeline": _entry_document(entry), "event_ids": str(entry.event_id)}},
        )
        return result.matched_count == 1 or await self._collection.count_documents({"_id": key}, limit=1) == 1


def _entry_document(entry: TimelineEntry) -> dict[str, Any]:
    document = entry.model_dump(mode="json")
    document["at"] = entry.at
    return document
