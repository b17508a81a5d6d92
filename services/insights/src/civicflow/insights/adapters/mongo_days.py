"""The aggregates, in insights' own database: "days", one document per service, agency and day (bounded: services
times agencies times days), {_id: "<service>|<agency>|<day>", service_id, agency_id ("" before an agency is chosen), day
(ISO date), service_day ("<service>|<day>", indexed), funnel: {step: n}, outcomes: {outcome: n}, rejections:
{"<by>:<reason>": n}, error_fields: {"<JSON Pointer>": n}, scores: {"1".."5": n}, durations: {to_route: {"le_<s>":
n}, to_decision: {…}}}. Only counters, no array and nothing per event: its size is bounded by the names it counts
(steps, reason codes, fields, scores, histogram buckets: domain.percentiles), not by the day's volume, so an update
costs the same on the day's first event and its ten-thousandth (FerretDB rewrites the whole document each time).

A batch's contributions are added after their marks were set for the first time (`first`, adapters.mongo_marks),
summed per bucket: one `$inc` of each bucket's document, upserted, however many events of the batch it holds. An
`$inc` is not idempotent by itself: what makes a redelivery add nothing is the mark. FerretDB's `$inc` is a read
and a write, so the adds to one document are made one at a time (adapters.one_writer).

Reading a period is one equality query per day on service_day, which FerretDB answers from the index (it scans the
collection for `$in` and ranges): a period is at most MAX_DAYS long."""

import asyncio
from collections import Counter
from collections.abc import Sequence
from datetime import date, datetime, timedelta

from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from civicflow.insights.adapters.mongo_marks import MongoMarks
from civicflow.insights.adapters.one_writer import OneWriter
from civicflow.insights.domain.contributions import Bucket, Contribution, Mark
from civicflow.insights.domain.percentiles import bucket_of
from civicflow.insights.domain.totals import DayTotals
from civicflow.shared.mongo import Document

COLLECTION = "days"
# Queries at a time when a period is read.
READ_CONCURRENCY = 16


class MongoDays:
    def __init__(self, database: AsyncDatabase[Document]) -> None:
        self._days = database[COLLECTION]
        self._marks = MongoMarks(database)
        self._writing = OneWriter()
        self._indexed = False

    async def first(self, marks: Sequence[Mark]) -> list[bool]:
        return await self._marks.first(marks)

    async def add(self, contributions: Sequence[Contribution]) -> None:
        if not contributions:
            return
        await self._index()
        summed: dict[Bucket, Counter[str]] = {}
        for contribution in contributions:
            summed.setdefault(contribution.bucket, Counter()).update(_increments(contribution))
        await asyncio.gather(*(self._add(bucket, increments) for bucket, increments in summed.items()))

    async def _add(self, bucket: Bucket, increments: Counter[str]) -> None:
        where, update = {"_id": _id(bucket)}, _update(bucket, increments)
        async with self._writing.of(where["_id"]):
            try:
                await self._days.update_one(where, update, upsert=True)
            except DuplicateKeyError:
                # Made meanwhile by another process's upsert (MongoDB retries such an upsert itself; FerretDB does not).
                await self._days.update_one(where, update)

    async def totals(self, service_id: str, first: date, last: date) -> list[DayTotals]:
        await self._index()
        limit = asyncio.Semaphore(READ_CONCURRENCY)

        async def of_day(day: date) -> list[Document]:
            async with limit:
                return await self._days.find({"service_day": f"{service_id}|{day.isoformat()}"}).to_list()

        days = [first + timedelta(days=offset) for offset in range((last - first).days + 1)]
        found = await asyncio.gather(*(of_day(day) for day in days))
        return [_totals(document) for documents in found for document in documents]

    async def forget_marks(self, now: datetime | None = None) -> int:
        return await self._marks.forget_old(now)

    async def _index(self) -> None:
        if not self._indexed:
            await self._days.create_index("service_day")
            self._indexed = True


def _id(bucket: Bucket) -> str:
    return f"{bucket.service_id}|{bucket.agency_id}|{bucket.day.isoformat()}"


def _increments(contribution: Contribution) -> dict[str, int]:
    """One for each counter the contribution adds to (a counter it names twice counts once, as each event once)."""
    increments: dict[str, int] = {
        f"{name}.{key}": 1
        for name, keys in (
            ("funnel", contribution.funnel),
            ("outcomes", contribution.outcomes),
            ("rejections", contribution.rejections),
            ("error_fields", contribution.error_fields),
            ("scores", contribution.scores),
        )
        for key in keys
    }
    increments |= {f"durations.{kind}.{bucket_of(seconds)}": 1 for kind, seconds in contribution.durations.items()}
    return increments


def _update(bucket: Bucket, increments: Counter[str]) -> Document:
    return {
        "$setOnInsert": {
            "service_id": bucket.service_id,
            "agency_id": bucket.agency_id,
            "day": bucket.day.isoformat(),
            "service_day": f"{bucket.service_id}|{bucket.day.isoformat()}",
        },
        "$inc": dict(increments),
    }


def _totals(document: Document) -> DayTotals:
    return DayTotals(
        bucket=Bucket(document["service_id"], document["agency_id"], date.fromisoformat(document["day"])),
        funnel=document.get("funnel", {}),
        outcomes=document.get("outcomes", {}),
        rejections=document.get("rejections", {}),
        error_fields=document.get("error_fields", {}),
        scores=document.get("scores", {}),
        durations=document.get("durations", {}),
    )
