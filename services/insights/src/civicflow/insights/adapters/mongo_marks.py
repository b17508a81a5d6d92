"""What makes the page's steps and the ratings count once, in insights' own database: "visits" {_id: journey id,
day (of its latest marked step, ISO), counted: {<step>: true}}, one small document per visit of the page, and
"marks" {_id: event id, day} for what counts once by its event id (a rating, a failed check). A journey id is a
random id the page made for one visit: it names nobody, and goes with its visit document.

`first` sets the mark and says whether it was not set before, in one write of one document by _id, so that of a
redelivery, or of the same event handled twice at once, only one sees True: an event's mark is an insert (atomic
everywhere; a duplicate key means it was set); a visit's step is an update filtered on the step being unset,
upserted (a duplicate key means the visit is there with the step set), atomic in MongoDB and made one at a time per
visit on FerretDB (adapters.one_writer).

Without a transaction the mark and the day's `$inc` (adapters.mongo_days) are two writes, the mark first: a crash
or a store failure between them leaves the event marked and not counted, so it is counted one too few, never
twice. Chosen because an under-count of one event in a rare crash is within what these figures mean (shares and
percentiles of many), while a double count on every redelivery was what the marks are for; a transaction would
need a MongoDB replica set, and FerretDB 1.24 has none.

Retention: dropped MARKED_DAYS after their day by the hourly sweep (adapters.retention), well after any
redelivery."""

from datetime import UTC, datetime, timedelta

from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from civicflow.insights.adapters.one_writer import OneWriter
from civicflow.insights.domain.contributions import EventOnce, Mark, VisitStep
from civicflow.shared.mongo import Document

VISITS, MARKS = "visits", "marks"
# Longer than the processed-event retention of the shared consumers (14 days) and any replay of a dead letter.
MARKED_DAYS = 30


class MongoMarks:
    def __init__(self, database: AsyncDatabase[Document]) -> None:
        self._visits = database[VISITS]
        self._marks = database[MARKS]
        self._writing = OneWriter()

    async def first(self, mark: Mark) -> bool:
        try:
            if isinstance(mark, EventOnce):
                await self._marks.insert_one({"_id": mark.event_id, "day": mark.day.isoformat()})
            else:
                await self._mark_step(mark)
        except DuplicateKeyError:
            return False
        return True

    async def _mark_step(self, mark: VisitStep) -> None:
        flag = f"counted.{mark.step}"
        async with self._writing.of(mark.journey_id):
            await self._visits.update_one(
                {"_id": mark.journey_id, flag: {"$exists": False}},
                {"$set": {flag: True, "day": mark.day.isoformat()}},
                upsert=True,
            )

    async def forget_old(self, now: datetime | None = None) -> int:
        """Drop the marks of days MARKED_DAYS old; how many (a sweep: the range may scan, once an hour)."""
        cutoff = ((now or datetime.now(UTC)) - timedelta(days=MARKED_DAYS)).date().isoformat()
        visits = await self._visits.delete_many({"day": {"$lt": cutoff}})
        marks = await self._marks.delete_many({"day": {"$lt": cutoff}})
        return visits.deleted_count + marks.deleted_count
