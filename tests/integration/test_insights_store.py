"""Insights' aggregates in the real document store (FerretDB over PostgreSQL): a known stream of experience,
status, decision and rating events, every event delivered twice, gives the exact expected aggregates; counting
stays once under concurrent redeliveries, and concurrent events of one day add up; a day document holds a fixed
set of counters whatever the day's volume; nothing personal is ever stored; retention forgets what it says."""

import asyncio
from collections.abc import Iterator
from dataclasses import asdict
from datetime import timedelta
from typing import Any
from uuid import uuid4

import bson
import pytest
from bson import json_util
from pydantic import BaseModel
from pymongo.asynchronous.database import AsyncDatabase

from civicflow.insights.adapters.mongo_applications import CLOSED_DAYS, MongoApplications
from civicflow.insights.adapters.mongo_days import MongoDays
from civicflow.insights.adapters.mongo_marks import MARKED_DAYS
from civicflow.insights.domain.report import Period
from civicflow.insights.reports import Targets, read_insights
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
    "applications": {"_id", "service_id", "received_at", "agency_id", "routed_at", "closed_at", "counted"},
    "days": {
        "_id", "service_id", "agency_id", "day", "service_day", "funnel", "outcomes", "rejections", "error_fields",
        "scores", "durations",
    },
    "visits": {"_id", "day", "counted"},
    "marks": {"_id", "day"},
}  # fmt: skip
CONCURRENT = 8


async def test_the_known_stream_delivered_twice_gives_the_exact_aggregates(database: Database) -> None:
    days, applications = MongoDays(database), MongoApplications(database)
    await feed(with_redeliveries(stream()), days, applications)
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
    for document in await database["applications"].find({}).to_list():
        assert set(document["counted"].values()) == {True}


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
    # A step of a visit whose document is there already (the race is on an update, not an insert).
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
    await feed(events[8 * per_application :], days, applications)
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
    assert await database["visits"].count_documents({}) > 0 and await database["marks"].count_documents({}) > 0
    much_later = START + timedelta(days=max(MARKED_DAYS, CLOSED_DAYS) + 5)
    assert await days.forget_marks(much_later) > 0
    assert await database["visits"].count_documents({}) == await database["marks"].count_documents({}) == 0
    # Closed ones (decided, refused, unroutable) go; the one asked for information stays open.
    assert await applications.forget_old(much_later) == 4
    (still,) = await database["applications"].find({}).to_list()
    assert still["agency_id"] == BONN and "closed_at" not in still
    # The aggregates stay as they were.
    found = await read_insights(PERIOD, days, applications, Targets(30.0), much_later)
    assert {entry.step: entry.count for entry in found.funnel} == EXPECTED_FUNNEL


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
