"""What makes each event count once, in insights' own database: a mark per thing that counts once, {_id: its key,
day (ISO, of its event)}. In "marks": a step of one visit of the page, "<journey id>|<step>" (a journey id is a
random id the page made for one visit: it names nobody, and goes with its marks), and what counts once by its event
id, "<event id>" (a rating, a failed check). In "steps": a step of one application, "<submission id>|<step>", or
"<submission id>|<event id>" for what may come more than once (domain.applications).

`first` sets a batch's marks in one round trip and says which were not set before: each mark is an insert of a new
_id (adapters.inserts), atomic on FerretDB as in MongoDB, so that of a redelivery, or of the same event handled
twice at once, only one sees True.

Without a transaction the marks and the days' `$inc` (adapters.mongo_days) are two writes, the marks first: a crash
or a store failure between them leaves those events marked and not counted, so they are counted too few, never
twice. Chosen because an under-count of a batch in a rare crash is within what these figures mean (shares and
percentiles of many), while a double count on every redelivery was what the marks are for; a transaction would
need a MongoDB replica set, and FerretDB 1.24 has none.

Retention, by the hourly sweep (adapters.retention): "marks" go MARKED_DAYS after their day, well after any
redelivery; "steps" go OPEN_DAYS after their day, so an application's marks outlive its record (forgotten at the
latest OPEN_DAYS after it was received: adapters.mongo_applications), as they did when the record held them."""

import asyncio
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from pymongo.asynchronous.database import AsyncDatabase

from civicflow.insights.adapters.inserts import insert_new
from civicflow.insights.adapters.mongo_applications import OPEN_DAYS
from civicflow.insights.domain.contributions import ApplicationStep, EventOnce, Mark
from civicflow.shared.mongo import Document

MARKS, STEPS = "marks", "steps"
# Longer than the processed-event retention of the shared consumers (14 days) and any replay of a dead letter.
MARKED_DAYS = 30


class MongoMarks:
    def __init__(self, database: AsyncDatabase[Document]) -> None:
        self._marks = database[MARKS]
        self._steps = database[STEPS]

    async def first(self, marks: Sequence[Mark]) -> list[bool]:
        steps = [index for index, mark in enumerate(marks) if isinstance(mark, ApplicationStep)]
        others = [index for index, mark in enumerate(marks) if not isinstance(mark, ApplicationStep)]
        found = await asyncio.gather(
            insert_new(self._steps, [_document(marks[index]) for index in steps]),
            insert_new(self._marks, [_document(marks[index]) for index in others]),
        )
        first = dict(zip(steps + others, found[0] + found[1], strict=True))
        return [first[index] for index in range(len(marks))]

    async def forget_old(self, now: datetime | None = None) -> int:
        """Drop the marks past their retention; how many (a sweep: the range may scan, once an hour)."""
        now = now or datetime.now(UTC)
        marks = await self._marks.delete_many({"day": {"$lt": _day(now - timedelta(days=MARKED_DAYS))}})
        steps = await self._steps.delete_many({"day": {"$lt": _day(now - timedelta(days=OPEN_DAYS))}})
        return marks.deleted_count + steps.deleted_count


def _document(mark: Mark) -> Document:
    return {"_id": _key(mark), "day": mark.day.isoformat()}


def _key(mark: Mark) -> str:
    if isinstance(mark, EventOnce):
        return mark.event_id
    if isinstance(mark, ApplicationStep):
        return f"{mark.submission_id}|{mark.mark}"
    return f"{mark.journey_id}|{mark.step}"


def _day(at: datetime) -> str:
    return at.date().isoformat()
