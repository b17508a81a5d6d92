"""Routing's applications waiting for the citizen's answer, in the real document store (FerretDB over PostgreSQL):
every store pattern adapters.mongo_waiting uses, each by _id or by one indexed equality."""

from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import uuid4

import pytest
from pymongo.asynchronous.database import AsyncDatabase

from civicflow.local.sample import BUSINESS_REGISTRATION, ERIKA
from civicflow.routing.adapters.mongo_waiting import MongoWaitingApplications
from civicflow.shared.events import Applicant, IdentityVerified
from tests.support import sealing
from tests.support.profiles import CITIZEN_ID, OTHER_CITIZEN_ID

pytestmark = pytest.mark.integration

Database = AsyncDatabase[dict[str, Any]]
SEALER = sealing.sealer_with_every_key()
KOELN, BERLIN = "05315000", "11000000"


def verified(citizen_id: str | None = CITIZEN_ID) -> IdentityVerified:
    applicant = Applicant.model_validate(
        ERIKA | {"address": {"street": "Markt 1", "postal_code": "51147", "city": "Flensburg"}}
    )
    event = sealing.verified(SEALER, applicant, BUSINESS_REGISTRATION, "99050012104000")
    return event.model_copy(update={"citizen_id": citizen_id})


async def test_an_application_waits_as_it_came_sealed_and_once(database: Database) -> None:
    waiting, event = MongoWaitingApplications(database), verified()
    assert await waiting.find(event.submission_id) is None
    await waiting.keep(event, (KOELN, BERLIN))
    await waiting.keep(event, (KOELN,))  # a redelivery: a duplicate key, the first stays
    found = await waiting.find(event.submission_id)
    assert found is not None and found.event == event and found.choices == (KOELN, BERLIN)
    raw = await database["waiting"].find_one({"_id": str(event.submission_id)})
    assert raw is not None and raw["citizen_id"] == CITIZEN_ID and raw["choices"] == [KOELN, BERLIN]
    assert "Mustermann" not in str(raw) and "Markt" not in str(raw)  # its personal fields stay sealed
    assert await database["waiting"].count_documents({}) == 1


async def test_a_delivered_application_is_forgotten_and_forgetting_it_again_is_nothing(database: Database) -> None:
    waiting, event, other = MongoWaitingApplications(database), verified(), verified()
    await waiting.keep(event, (KOELN,))
    await waiting.keep(other, (KOELN,))
    await waiting.release(event.submission_id)
    await waiting.release(event.submission_id)  # the answer handled again
    await waiting.release(uuid4())
    assert await waiting.find(event.submission_id) is None
    assert await waiting.find(other.submission_id) is not None


async def test_an_erasure_finds_only_that_citizens_applications_by_an_indexed_equality(database: Database) -> None:
    waiting = MongoWaitingApplications(database)
    theirs = [verified(), verified()]
    others, anonymous = verified(OTHER_CITIZEN_ID), verified(None)  # filed without an identity: no citizen id
    for event in (*theirs, others, anonymous):
        await waiting.keep(event, (KOELN,))
    found = await waiting.of_citizen(CITIZEN_ID)
    assert sorted(str(each.event.submission_id) for each in found) == sorted(str(e.submission_id) for e in theirs)
    assert await waiting.of_citizen("c" * 32) == []
    indexes = [dict(index["key"]) async for index in await database["waiting"].list_indexes()]
    assert {"citizen_id": 1} in indexes
    if "ferretdbVersion" in await database.client.admin.command("buildInfo"):
        # An equality FerretDB hands to PostgreSQL (test_store_patterns: answered by an index), not a scan of its own.
        plan = await database.command("explain", {"find": "waiting", "filter": {"citizen_id": CITIZEN_ID}})
        assert plan["filterPushdown"] is True


async def test_a_new_instance_finds_what_an_earlier_one_kept(database: Database) -> None:
    event = verified()
    await MongoWaitingApplications(database).keep(event, (KOELN,))
    restarted = MongoWaitingApplications(database)  # routing restarted: its index exists, creating it is a no-op
    assert await restarted.of_citizen(OTHER_CITIZEN_ID) == []
    found = await restarted.find(event.submission_id)
    assert found is not None and found.event == event


async def test_the_unanswered_are_found_oldest_first_and_at_most_so_many(database: Database) -> None:
    waiting = MongoWaitingApplications(database)
    events = [verified(), verified(), verified()]
    for event in events:
        await waiting.keep(event, (KOELN,))
    await database["waiting"].update_one(
        {"_id": str(events[1].submission_id)}, {"$set": {"at": datetime.now(UTC) - timedelta(days=40)}}
    )
    await database["waiting"].update_one(
        {"_id": str(events[2].submission_id)}, {"$set": {"at": datetime.now(UTC) - timedelta(days=31)}}
    )
    cutoff = datetime.now(UTC) - timedelta(days=30)
    found = await waiting.older_than(cutoff, limit=10)
    assert [each.event.submission_id for each in found] == [events[1].submission_id, events[2].submission_id]
    assert len(await waiting.older_than(cutoff, limit=1)) == 1


async def test_the_latest_erasure_of_a_citizen_is_remembered(database: Database) -> None:
    waiting = MongoWaitingApplications(database)
    now = datetime.now(UTC).replace(microsecond=0)
    assert not await waiting.erased_since(CITIZEN_ID, now - timedelta(days=1))
    await waiting.remember_erasure(CITIZEN_ID, now)
    await waiting.remember_erasure(CITIZEN_ID, now - timedelta(hours=1))  # an older one, handled late
    await waiting.remember_erasure(CITIZEN_ID, now)  # the same one again
    assert await waiting.erased_since(CITIZEN_ID, now - timedelta(minutes=5))
    assert await waiting.erased_since(CITIZEN_ID, now)
    assert not await waiting.erased_since(CITIZEN_ID, now + timedelta(seconds=1))
    assert not await waiting.erased_since(OTHER_CITIZEN_ID, now - timedelta(days=1))
    assert await database["erasures"].count_documents({}) == 1
