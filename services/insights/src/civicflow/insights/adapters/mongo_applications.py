"""The applications insights follows, in its own database: "applications" {_id: submission id, service_id, received_at,
agency_id (once routed), routed_at, closed_at (once decided or stopped), counted: {<mark>: true}}, indexed by
service_id. `counted` holds the marks of its status events counted already (domain.applications): a handful per
application. Nothing personal: no name, address, contact or citizen id is ever written here (insights has no keys,
and reads none of the events' sealed parts).

Retention: an application is forgotten CLOSED_DAYS after it was decided or stopped (a redelivery of its last
events within that time still finds it), and an open one OPEN_DAYS after it was received (by then its waiting
counted over any target). Deleted by a sweep, as FerretDB has no TTL index.

Counting once is marking once: each write is one update of one record by _id, filtered on its mark being unset, that
sets the mark together with what the event changes (atomic in MongoDB; on FerretDB, where it is a read and a write,
made one at a time per record: adapters.one_writer). `keep` (received, verified) upserts the record, and a duplicate
key means the mark was set already. `progress` (the later events) is a find_one_and_update that gives the record as
it was before, so that one round trip both marks the step and reads the service and received time the contribution
needs; None means the mark was set already or the record is not there yet (`known` tells which). As for the page's
marks (adapters.mongo_marks), a crash between the mark and the day's `$inc` counts that one event too few, never
twice. Lookups are by _id, or equality on the indexed service_id; no `$in`, `$ne` or range on the hot path (FerretDB
scans the collection)."""

from datetime import UTC, datetime, timedelta
from uuid import UUID

from pymongo import ReturnDocument
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from civicflow.insights.adapters.one_writer import OneWriter
from civicflow.insights.domain.applications import Application, Progress
from civicflow.shared.mongo import Document

COLLECTION = "applications"
CLOSED_DAYS = 30
OPEN_DAYS = 365


class MongoApplications:
    def __init__(self, database: AsyncDatabase[Document]) -> None:
        self._applications = database[COLLECTION]
        self._writing = OneWriter()
        self._indexed = False

    async def keep(self, application: Application, mark: str) -> bool:
        await self._index()
        flag = f"counted.{mark}"
        new = {"service_id": application.service_id, "received_at": application.received_at}
        submission_id = str(application.submission_id)
        try:
            async with self._writing.of(submission_id):
                await self._applications.update_one(
                    {"_id": submission_id, flag: {"$exists": False}},
                    {"$setOnInsert": new, "$set": {flag: True}},
                    upsert=True,
                )
        except DuplicateKeyError:
            return False
        return True

    async def progress(self, progress: Progress) -> Application | None:
        flag = f"counted.{progress.mark}"
        changes = {"agency_id": progress.agency_id, "routed_at": progress.routed_at, "closed_at": progress.closed_at}
        submission_id = str(progress.submission_id)
        async with self._writing.of(submission_id):
            before = await self._applications.find_one_and_update(
                {"_id": submission_id, flag: {"$exists": False}},
                {"$set": {flag: True} | {name: value for name, value in changes.items() if value is not None}},
                # No projection: FerretDB 1.24 answers findAndModify's `fields` NotImplemented; the record is small.
                return_document=ReturnDocument.BEFORE,
            )
        if before is None:
            return None
        received_at = _aware(before["received_at"])
        return Application(progress.submission_id, before["service_id"], received_at, before.get("agency_id"))

    async def known(self, submission_id: UUID) -> bool:
        return await self._applications.find_one({"_id": str(submission_id)}, {"_id": 1}) is not None

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
