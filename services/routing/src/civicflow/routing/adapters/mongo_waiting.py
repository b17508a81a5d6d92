"""Applications waiting for the citizen's clarification, in routing's own database: "waiting" {_id: submission id,
event: the IdentityVerified event's JSON as it came (its applicant and form sealed as intake sealed them),
choices: [municipality keys offered], citizen_id, at: when it began to wait}, indexed by citizen_id; and "erasures"
{_id: citizen id, at: their latest erasure}, so that an application filed before it is not kept waiting after it.

How long one is kept: until the citizen answers (it is delivered, then deleted), erases their profile, or has not
answered in CLARIFICATION_DAYS (then it ends as undeliverable, the citizen told, and is deleted: handlers).

Every write may come twice (at-least-once delivery) and ends the same: the insert is keyed by the submission id, so a
redelivery is a duplicate key, and the deletes find nothing the second time. Lookups are by _id, the erasure's
lookup by equality on the indexed citizen_id (FerretDB answers both from an index; `$in` and ranges it scans: the
hourly look for the unanswered is a range on `at`, a scan of the few that wait).
"""

import asyncio
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from civicflow.routing.handlers import Waiting
from civicflow.shared.events import IdentityVerified
from civicflow.shared.mongo import Document

SWEEP_SECONDS = 3600


class MongoWaitingApplications:
    def __init__(self, database: AsyncDatabase[Document]) -> None:
        self._waiting = database["waiting"]
        # {_id: citizen id, at: their latest erasure}: a pseudonym and a time, no personal data.
        self._erasures = database["erasures"]
        self._indexed = False

    async def keep(self, event: IdentityVerified, choices: tuple[str, ...]) -> None:
        await self._index()
        document = {
            "_id": str(event.submission_id),
            "event": event.model_dump_json(),
            "choices": list(choices),
            "citizen_id": event.citizen_id,
            "at": datetime.now(UTC),
        }
        try:
            await self._waiting.insert_one(document)
        except DuplicateKeyError:  # kept already: this is a redelivery
            return

    async def find(self, submission_id: UUID) -> Waiting | None:
        found = await self._waiting.find_one({"_id": str(submission_id)}, {"event": 1, "choices": 1})
        return None if found is None else _waiting(found)

    async def release(self, submission_id: UUID) -> None:
        await self._waiting.delete_one({"_id": str(submission_id)})

    async def of_citizen(self, citizen_id: str) -> list[Waiting]:
        await self._index()
        return [_waiting(found) async for found in self._waiting.find({"citizen_id": citizen_id})]

    async def older_than(self, cutoff: datetime, limit: int) -> list[Waiting]:
        found = self._waiting.find({"at": {"$lt": cutoff}}, sort=[("at", 1)], limit=limit)
        return [_waiting(document) async for document in found]

    async def remember_erasure(self, citizen_id: str, at: datetime) -> None:
        # An upsert is a read and then an insert on FerretDB, so two at once can both find nothing: the second
        # insert is a duplicate key, and is done as an update.
        try:
            await self._erasures.update_one({"_id": citizen_id}, {"$max": {"at": at}}, upsert=True)
        except DuplicateKeyError:
            await self._erasures.update_one({"_id": citizen_id}, {"$max": {"at": at}})

    async def erased_since(self, citizen_id: str, at: datetime) -> bool:
        found = await self._erasures.find_one({"_id": citizen_id})
        return found is not None and _aware(found["at"]) >= _aware(at)

    async def sweep(self, give_up: Callable[[datetime], Awaitable[int]]) -> None:
        """A background job: every hour, end the applications whose citizen did not answer in time."""
        while True:
            while await give_up(datetime.now(UTC)):  # a hundred at a time, until none is left
                pass
            await asyncio.sleep(SWEEP_SECONDS)

    async def _index(self) -> None:
        """On first use (creating an index that exists is a no-op, but a round trip)."""
        if not self._indexed:
            await self._waiting.create_index("citizen_id")
            self._indexed = True


def _waiting(document: dict[str, Any]) -> Waiting:
    return Waiting(IdentityVerified.model_validate_json(document["event"]), tuple(document["choices"]))


def _aware(at: datetime) -> datetime:
    """As the store gives it back (UTC, naive unless the client is tz-aware), comparable with an aware time."""
    return at if at.tzinfo else at.replace(tzinfo=UTC)
