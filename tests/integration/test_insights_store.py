"""Insights' aggregates in the real document store (FerretDB over PostgreSQL): a known stream of experience,
status, decision and rating events, every event delivered twice, one by one or in batches, gives the exact
expected aggregates; counting stays once under concurrent redeliveries of an event or of a batch, and concurrent
events of one day add up; a batch costs a few round trips, plus one per later status event; the store names each
mark that was set before; a day document holds a fixed set of counters whatever the day's volume; nothing personal
is ever stored; retention forgets what it says."""

import asyncio
from collections import Counter
from collections.abc import Iterator
from dataclasses import asdict
from datetime import timedelta
from typing import Any
from uuid import uuid4

import bson
import pytest
from bson import json_util
from pydantic import BaseModel
from pymongo import AsyncMongoClient, monitoring
from pymongo.asynchronous.database import AsyncDatabase

from civicflow.insights.adapters.inserts import insert_new
from civicflow.insights.adapters.mongo_applications import CLOSED_DAYS, OPEN_DAYS, MongoApplications
from civicflow.insights.adapters.mongo_days import MongoDays
from civicflow.insights.adapters.mongo_marks import MARKED_DAYS
from civicflow.insights.domain.report import Period
from civicflow.insights.handlers import NotReceivedYet
from civicflow.insights.reports import Targets, read_insights
from civicflow.local.layout import Layout
from civicflow.shared.events import (
    ExperienceKind,
    IdentityVerified,
    SubmissionDecided,
    SubmissionReceived,
    SubmissionRouted,
)
from tests.support.insights_stream import (
    BONN,
    DAY,
    EXPECTED_DURATIONS,
    EXPECTED_ERROR_FIELDS,
    EXPECTED_FUNNEL,
    EXPECTED_OUTCOMES,
    EXPECTED_RATINGS,
    KOELN,
    PERSONAL,
    SERVICE,
    START,
    experience,
    feed,
    feed_batches,
    many_applications,
    pipeline_events,
    ratings,
    stream,
    with_redeliveries,
)

pytestmark = pytest.mark.integration

Database = AsyncDatabase[dict[str, Any]]
PERIOD = Period(SERVICE, DAY, DAY + timedelta(days=3))
# The fields each collection's documents may hold: nothing of the citizen, nothing per event in `days`.
FIELDS = {
    "applications": {"_id", "service_id", "received_at", "agency_id", "routed_at", "closed_at"},
    "days": {
        "_id", "service_id", "agency_id", "day", "service_day", "funnel", "outcomes", "rejections", "error_fields",
        "scores", "durations",
    },
    "marks": {"_id", "day"},
    "steps": {"_id", "day"},
}  # fmt: skip
CONCURRENT = 8


# A batch of one is how a single event is handed on, and how the events of a batch that failed are.
@pytest.mark.parametrize("size", [1, 7, 250])
async def test_the_known_stream_delivered_twice_gives_the_exact_aggregates(database: Database, size: int) -> None:
    days, applications = MongoDays(database), MongoApplications(database)
    await feed_batches(with_redeliveries(stream()), days, applications, size)
    found = asdict(await read_insights(PERIOD, days, applications, Targets(30.0), START + timedelta(days=31)))
    assert {entry["step"]: entry["count"] for entry in found["funnel"]} == EXPECTED_FUNNEL
    assert found["error_fields"] == EXPECTED_ERROR_FIELDS
    assert found["durations"] == EXPECTED_DURATIONS
    assert found["outcomes"] == EXPECTED_OUTCOMES
    assert found["ratings"] == EXPECTED_RATINGS
    assert found["waiting_over_target"] == 1  # A3, open at Bonn, received 31 days before
    bonn = await read_insights(
        Period(SERVICE, DAY, DAY, BONN), days, applications, Targets(30.0), START + timedelta(days=31)
    )
    assert (bonn.durations["to_route"].p50_seconds, bonn.waiting_over_target) == (1800.0, 1)


async def test_nothing_personal_is_stored_in_any_collection(database: Database) -> None:
    days, applications = MongoDays(database), MongoApplications(database)
    await feed(stream(), days, applications)
    names = await database.list_collection_names()
    assert set(FIELDS) <= set(names)
    for name in names:
        documents = await database[name].find({}).to_list()
        text = json_util.dumps(documents, ensure_ascii=False)
        assert not [value for value in PERSONAL if value.lower() in text.lower()], name
        assert all(set(document) <= FIELDS[name] for document in documents), name


def one_of_each() -> Iterator[BaseModel]:
    """A page step, a failed check, a rating and each kind of status event of one application, in order."""
    events = pipeline_events()
    a1 = next(event for event in events if isinstance(event, SubmissionReceived)).submission_id
    of_a1 = [event for event in events if getattr(event, "submission_id", None) == a1]
    yield experience(ExperienceKind.FORM_STARTED, uuid4(), START)
    yield experience(ExperienceKind.VALIDATION_FAILED, uuid4(), START, "/form/business_name")
    yield ratings()[0]
    yield from (event for kind in (SubmissionReceived, IdentityVerified, SubmissionRouted, SubmissionDecided)
                for event in of_a1 if isinstance(event, kind))  # fmt: skip


async def test_concurrent_redeliveries_of_one_event_count_once(database: Database) -> None:
    days, applications = MongoDays(database), MongoApplications(database)
    for event in one_of_each():
        await asyncio.gather(*(feed([event], days, applications) for _ in range(CONCURRENT)))
    # Another step of a visit whose first step was counted already (each step is a mark of its own).
    journey = uuid4()
    await feed([experience(ExperienceKind.SERVICE_VIEWED, journey, START)], days, applications)
    again = experience(ExperienceKind.SUMMARY_REACHED, journey, START)
    await asyncio.gather(*(feed([again], days, applications) for _ in range(CONCURRENT)))
    found = await read_insights(PERIOD, days, applications, Targets(30.0), START)
    funnel = {entry.step: entry.count for entry in found.funnel}
    assert funnel == {
        "service_viewed": 1, "form_started": 1, "summary_reached": 1, "submitted": 0,
        "received": 1, "verified": 1, "routed": 1, "decided": 1,
    }  # fmt: skip
    assert [(entry.field, entry.count) for entry in found.error_fields] == [("/form/business_name", 1)]
    assert (found.ratings.count, found.outcomes.accepted, found.durations["to_decision"].count) == (1, 1, 1)


async def test_concurrent_deliveries_of_one_batch_count_once(database: Database) -> None:
    days, applications = MongoDays(database), MongoApplications(database)
    events = many_applications(40)
    await asyncio.gather(*(feed_batches(events, days, applications, len(events)) for _ in range(CONCURRENT)))
    found = await read_insights(PERIOD, days, applications, Targets(30.0), START)
    funnel = {entry.step: entry.count for entry in found.funnel}
    assert funnel == {
        "service_viewed": 40, "form_started": 0, "summary_reached": 0, "submitted": 40,
        "received": 40, "verified": 40, "routed": 40, "decided": 40,
    }  # fmt: skip
    assert found.outcomes.accepted == found.durations["to_route"].count == found.durations["to_decision"].count == 40


async def test_a_batch_costs_a_few_round_trips_and_one_per_later_status_event(
    stack: Layout, database: Database
) -> None:
    listener = Commands()
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(
        stack.mongo_uri, tz_aware=True, uuidRepresentation="standard", event_listeners=[listener]
    )
    try:
        watched = client[database.name]
        days, applications = MongoDays(watched), MongoApplications(watched)
        events = many_applications(100)  # per topic one batch, of 100 applications (the page's: of 200 events)
        await feed_batches(events, days, applications, len(events))
        # Inserts: the page's marks; received's and verified's records and marks; routed's and decided's marks.
        # Updates: one `$inc` per batch, as each batch's events count on one day (in one bucket).
        assert listener.writes == {"insert": 7, "update": 5, "findAndModify": 200}
        listener.writes.clear()
        await feed_batches(events, days, applications, len(events))
        # Nothing counted again: each mark set before, so no `$inc`; each routed and decided record found again.
        assert listener.writes == {"insert": 7, "findAndModify": 200, "find": 200}
    finally:
        await client.close()


async def test_the_store_names_each_mark_set_before(database: Database) -> None:
    marks = database["marks"]
    assert await insert_new(marks, [{"_id": "a"}, {"_id": "b"}]) == [True, True]
    again = [{"_id": "a"}, {"_id": "c"}, {"_id": "c"}, {"_id": "b"}, {"_id": "d"}]
    assert await insert_new(marks, again) == [False, True, False, False, True]
    # Batches that overlap, every other one in reverse order, at once: every _id is new to exactly one of them.
    keys = [f"k{number}" for number in range(120)]
    slices = [keys[start : start + 60] for start in range(0, 70, 10)]
    batches = [[{"_id": key} for key in (part if turn % 2 else part[::-1])] for turn, part in enumerate(slices)]
    found = await asyncio.gather(*(insert_new(marks, batch) for batch in batches))
    firsts = Counter(
        document["_id"]
        for batch, new in zip(batches, found, strict=True)
        for document, first in zip(batch, new, strict=True)
        if first
    )
    assert firsts == Counter(keys)
    assert await marks.count_documents({}) == 4 + len(keys)


async def test_a_batch_counts_its_events_whose_application_was_received_and_retries_the_rest(
    database: Database,
) -> None:
    days, applications = MongoDays(database), MongoApplications(database)
    events = many_applications(3)
    received = [event for event in events if isinstance(event, SubmissionReceived)]
    routed = [event for event in events if isinstance(event, SubmissionRouted)]
    await feed(received[:2], days, applications)
    with pytest.raises(NotReceivedYet):
        await feed_batches(routed, days, applications, len(routed))
    (koeln,) = [totals for totals in await days.totals(SERVICE, DAY, DAY) if totals.bucket.agency_id == KOELN]
    assert koeln.funnel == {"routed": 2}
    # As the consumers go on: the batch's events one by one, the last one again once its application is received.
    await feed(received[2:], days, applications)
    for event in routed:
        await feed([event], days, applications)
    (koeln,) = [totals for totals in await days.totals(SERVICE, DAY, DAY) if totals.bucket.agency_id == KOELN]
    assert koeln.funnel == {"routed": 3}


async def test_concurrent_events_of_one_day_all_add_up(database: Database) -> None:
    days, applications = MongoDays(database), MongoApplications(database)
    started = [experience(ExperienceKind.FORM_STARTED, uuid4(), START) for _ in range(40)]
    await asyncio.gather(*(feed([event], days, applications) for event in started))
    (totals,) = await days.totals(SERVICE, DAY, DAY)
    assert totals.funnel == {"form_started": 40}


async def test_a_day_document_holds_a_fixed_set_of_counters_whatever_the_volume(database: Database) -> None:
    days, applications = MongoDays(database), MongoApplications(database)
    events = many_applications(200)
    per_application = len(events) // 200
    await feed(events[: 8 * per_application], days, applications)
    early = await _documents(database)
    await feed_batches(events[8 * per_application :], days, applications, 40 * per_application)
    late = await _documents(database)
    assert (
        set(early)
        == set(late)
        == {f"{SERVICE}||{DAY}", f"{SERVICE}|{KOELN}|{DAY}", f"{SERVICE}|{KOELN}|{DAY + timedelta(days=2)}"}
    )
    for key, document in late.items():
        assert not _arrays(document), key
        assert _paths(document) == _paths(early[key]), key
        assert len(bson.encode(document)) == len(bson.encode(early[key])), key
    assert late[f"{SERVICE}|{KOELN}|{DAY}"]["durations"] == {
        "to_route": {"le_60": 50, "le_1800": 50, "le_14400": 50, "le_28800": 50}
    }
    assert late[f"{SERVICE}||{DAY}"]["funnel"] == {
        "service_viewed": 200,
        "submitted": 200,
        "received": 200,
        "verified": 200,
    }


async def test_retention_forgets_the_marks_and_the_closed_applications(database: Database) -> None:
    days, applications = MongoDays(database), MongoApplications(database)
    await feed(stream(), days, applications)
    steps = await database["steps"].count_documents({})
    assert await database["marks"].count_documents({}) > 0 and steps > 0
    much_later = START + timedelta(days=max(MARKED_DAYS, CLOSED_DAYS) + 5)
    assert await days.forget_marks(much_later) > 0
    assert await database["marks"].count_documents({}) == 0
    # Closed ones (decided, refused, unroutable) go; the one asked for information stays open.
    assert await applications.forget_old(much_later) == 4
    (still,) = await database["applications"].find({}).to_list()
    assert still["agency_id"] == BONN and "closed_at" not in still
    # The aggregates stay as they were.
    found = await read_insights(PERIOD, days, applications, Targets(30.0), much_later)
    assert {entry.step: entry.count for entry in found.funnel} == EXPECTED_FUNNEL
    # An application's marks outlive its record, however long it stays open.
    assert await database["steps"].count_documents({}) == steps
    end = START + timedelta(days=OPEN_DAYS + 5)
    assert await applications.forget_old(end) == 1
    assert await days.forget_marks(end) == steps


class Commands(monitoring.CommandListener):
    """The writes and reads a client sends, by command name."""

    def __init__(self) -> None:
        self.writes: Counter[str] = Counter()

    def started(self, event: monitoring.CommandStartedEvent) -> None:
        if event.command_name in {"insert", "update", "findAndModify", "find", "delete"}:
            self.writes[event.command_name] += 1

    def succeeded(self, event: monitoring.CommandSucceededEvent) -> None:
        pass

    def failed(self, event: monitoring.CommandFailedEvent) -> None:
        pass


async def _documents(database: Database) -> dict[str, dict[str, Any]]:
    return {document["_id"]: document for document in await database["days"].find({}).to_list()}


def _arrays(document: dict[str, Any]) -> list[str]:
    return [path for path, value in _leaves(document, "") if isinstance(value, list)]


def _paths(document: dict[str, Any]) -> set[str]:
    return {path for path, _ in _leaves(document, "")}


def _leaves(value: Any, path: str) -> Iterator[tuple[str, Any]]:
    if isinstance(value, dict):
        for name, inner in value.items():
            yield from _leaves(inner, f"{path}.{name}" if path else name)
    else:
        yield path, value
