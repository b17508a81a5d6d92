"""The applications insights follows, in its own database: "applications" {_id: submission id, service_id, received_at,
agency_id (once routed), routed_at, closed_at (once decided or stopped)}, indexed by service_id. Nothing personal: no
name, address, contact or citizen id is ever written here (insights has no keys, and reads none of the events' sealed
parts). What of an application was counted already is in its marks (adapters.mongo_marks), not here.

Retention: an application is forgotten CLOSED_DAYS after it was decided or stopped (a redelivery of its last
events within that time still finds it), and an open one OPEN_DAYS after it was received (by then its waiting
counted over any target). Deleted by a sweep, as FerretDB has no TTL index.

`keep` inserts a batch's records in one round trip (adapters.inserts): one there already, kept by the other of
received and verified, stays as it is. `progress` writes what a later event changes, routed or closed, once: a
find_one_and_update by _id, filtered on the change not being made yet, that gives the record as it was, so that one
round trip both writes and reads the service and received time the contribution needs; when it finds nothing (made
already, or no record yet), a find by _id tells which. One round trip per event, the batch's at the same time; on
FerretDB, where an update is a read and a write, each record's made one at a time (adapters.one_writer). Lookups
are by _id, or equality on the indexed service_id; no `$in`, `$ne` or range on the hot path (FerretDB scans the
collection)."""

import asyncio
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from pymongo import ReturnDocument
from pymongo.asynchronous.database import AsyncDatabase

from civicflow.insights.adapters.inserts import insert_new
from civicflow.insights.adapters.one_writer import OneWriter
from civicflow.insights.domain.applications import Application, Progress
from civicflow.shared.mongo import Document

COLLECTION = "applications"
CLOSED_DAYS = 30
OPEN_DAYS = 365
# Events of one batch whose records are written or read at the same time.
CONCURRENCY = 32
# The times of a change: made once, so a later one (or a redelivery) leaves the first as it was.
ONCE = ("routed_at", "closed_at")


class MongoApplications:
    def __init__(self, database: AsyncDatabase[Document]) -> None:
        self._applications = database[COLLECTION]
        self._writing = OneWriter()
        self._indexed = False

    async def keep(self, applications: Sequence[Application]) -> None:
        await self._index()
        records = [
            {
                "_id": str(application.submission_id),
                "service_id": application.service_id,
                "received_at": application.received_at,
            }
            for application in applications
        ]
        await insert_new(self._applications, records)

    async def progress(self, changes: Sequence[Progress]) -> list[Application | None]:
        limit = asyncio.Semaphore(CONCURRENCY)

        async def one(change: Progress) -> Application | None:
            async with limit:
                return await self._progress(change)

        return list(await asyncio.gather(*(one(change) for change in changes)))

    async def _progress(self, progress: Progress) -> Application | None:
        submission_id = str(progress.submission_id)
        changes = {"agency_id": progress.agency_id, "routed_at": progress.routed_at, "closed_at": progress.closed_at}
        made = {name: value for name, value in changes.items() if value is not None}
        before = None
        if made:
            async with self._writing.of(submission_id):
                before = await self._applications.find_one_and_update(
                    {"_id": submission_id} | {name: {"$exists": False} for name in ONCE if name in made},
                    {"$set": made},
                    # No projection: FerretDB 1.24 answers findAndModify's `fields` NotImplemented; the record is small.
                    return_document=ReturnDocument.BEFORE,
                )
        if before is None:
            before = await self._applications.find_one({"_id": submission_id})
        if before is None:
            return None
        received_at = _aware(before["received_at"])
        return Application(progress.submission_id, before["service_id"], received_at, before.get("agency_id"))

    async def waiting_since(self, service_id: str, agency_id: str | None, cutoff: datetime) -> int:
        await self._index()
        found = self._applications.find({"service_id": service_id}, {"received_at": 1, "agency_id": 1, "closed_at": 1})
        waiting = 0
        async for document in found:
            late = document.get("closed_at") is None and _aware(document["received_at"]) < cutoff
            if late and agency_id in (None, document.get("agency_id")):
                waiting += 1
        return waiting

    async def forget_old(self, now: datetime | None = None) -> int:
        """Forget the applications past their retention; how many."""
        now = now or datetime.now(UTC)
        closed = await self._applications.delete_many({"closed_at": {"$lt": now - timedelta(days=CLOSED_DAYS)}})
        opened = await self._applications.delete_many({"received_at": {"$lt": now - timedelta(days=OPEN_DAYS)}})
        return closed.deleted_count + opened.deleted_count

    async def _index(self) -> None:
        if not self._indexed:
            await self._applications.create_index("service_id")
            self._indexed = True


def _aware(at: datetime) -> datetime:
    """As the store gives it back (UTC, naive unless the client is tz-aware), comparable with an aware time."""
    return at if at.tzinfo else at.replace(tzinfo=UTC)
