"""The applications routing delivered, in its own database: "deliveries" {_id: submission id, agency_id,
service_id, received_at, recipient: the Recipient's JSON as the event carried it (the address sealed for notify),
citizen_id, delivered_at, open: true until the agency accepts or rejects, decided_by, requests: [decision ids
asking for information], answered: [those answered]}, indexed by citizen_id (an erasure) and agency_id (how many
are in flight for an agency, before it may be retired: `civicflow agencies publish`).

Every write may come twice and ends the same: the insert is keyed by the submission id (a redelivery is a duplicate
key; a batch is one insert_many that skips those), the updates set values or add to sets ($addToSet). Lookups are
by _id or equality on an indexed field, which FerretDB answers from an index.
"""

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from pymongo.asynchronous.database import AsyncDatabase

from civicflow.routing.handlers import Delivered
from civicflow.shared.events import Recipient
from civicflow.shared.mongo import Document, insert_new

COLLECTION = "deliveries"


class MongoDeliveries:
    def __init__(self, database: AsyncDatabase[Document]) -> None:
        self._deliveries = database[COLLECTION]
        self._indexed = False

    async def record(self, delivered: Sequence[Delivered]) -> None:
        if not delivered:
            return
        await self._index()
        await insert_new(self._deliveries, [_document(each) for each in delivered])

    async def find(self, submission_id: UUID) -> Delivered | None:
        found = await self._deliveries.find_one({"_id": str(submission_id)})
        return None if found is None else _delivered(found)

    async def decide(self, submission_id: UUID, decision_id: UUID) -> None:
        changes = {"open": False, "decided_by": str(decision_id)}
        await self._deliveries.update_one({"_id": str(submission_id)}, {"$set": changes})

    async def ask(self, submission_id: UUID, decision_id: UUID) -> None:
        await self._deliveries.update_one({"_id": str(submission_id)}, {"$addToSet": {"requests": str(decision_id)}})

    async def answered(self, submission_id: UUID, request_id: UUID) -> None:
        await self._deliveries.update_one({"_id": str(submission_id)}, {"$addToSet": {"answered": str(request_id)}})

    async def forget_citizen(self, citizen_id: str) -> int:
        await self._index()
        result = await self._deliveries.delete_many({"citizen_id": citizen_id})
        return result.deleted_count

    async def in_flight(self, agency_id: str) -> int:
        """How many applications delivered to this agency it has not accepted or rejected yet."""
        await self._index()
        return await self._deliveries.count_documents({"agency_id": agency_id, "open": True})

    async def _index(self) -> None:
        if not self._indexed:
            await self._deliveries.create_index("citizen_id")
            await self._deliveries.create_index("agency_id")
            self._indexed = True


def _delivered(document: dict[str, Any]) -> Delivered:
    received_at = document["received_at"]
    return Delivered(
        submission_id=UUID(document["_id"]),
        agency_id=document["agency_id"],
        service_id=document["service_id"],
        received_at=received_at if received_at.tzinfo else received_at.replace(tzinfo=UTC),
        recipient=Recipient.model_validate(document["recipient"]),
        citizen_id=document.get("citizen_id"),
        decided_by=UUID(document["decided_by"]) if document.get("decided_by") else None,
        requests=tuple(UUID(value) for value in document.get("requests", ())),
        answered=tuple(UUID(value) for value in document.get("answered", ())),
    )


def _document(delivered: Delivered) -> Document:
    return {
        "_id": str(delivered.submission_id),
        "agency_id": delivered.agency_id,
        "service_id": delivered.service_id,
        "received_at": delivered.received_at,
        "recipient": delivered.recipient.model_dump(mode="json"),
        "citizen_id": delivered.citizen_id,
        "delivered_at": datetime.now(UTC),
        "open": True,
        "decided_by": None,
        "requests": [],
        "answered": [],
    }
