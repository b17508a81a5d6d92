"""Routing's record of the applications it delivered, in the real document store (FerretDB over PostgreSQL): every
write may come twice and ends the same, an erasure forgets only its citizen's, and what is in flight is counted per
agency by an indexed equality."""

from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import uuid4

import pytest
from pymongo.asynchronous.database import AsyncDatabase

from civicflow.routing.adapters.mongo_deliveries import MongoDeliveries
from civicflow.routing.handlers import Delivered
from tests.support import sealing
from tests.support.profiles import CITIZEN_ID, OTHER_CITIZEN_ID

pytestmark = pytest.mark.integration

Database = AsyncDatabase[dict[str, Any]]
SEALER = sealing.sealer_with_every_key()
GEWERBE, STANDESAMT = "koeln-gewerbe", "koeln-standesamt"


def delivered(citizen_id: str | None = CITIZEN_ID, agency_id: str = GEWERBE) -> Delivered:
    submission_id = uuid4()
    return Delivered(
        submission_id=submission_id,
        agency_id=agency_id,
        service_id="99050012104000",
        # Milliseconds: what BSON keeps of a datetime.
        received_at=datetime(2026, 11, 27, 9, 15, 30, 123000, tzinfo=UTC),
        recipient=sealing.recipient(SEALER, submission_id, "erika@example.org"),
        citizen_id=citizen_id,
    )


async def test_a_delivery_is_recorded_once_and_found_as_it_was(database: Database) -> None:
    deliveries, delivery = MongoDeliveries(database), delivered()
    assert await deliveries.find(delivery.submission_id) is None
    await deliveries.record([delivery])
    await deliveries.record([delivery])  # a redelivery: a duplicate key, the first stays
    found = await deliveries.find(delivery.submission_id)
    assert found is not None and found == delivery
    assert found.received_at.tzinfo is not None and found.received_at.utcoffset() == timedelta(0)
    assert await database["deliveries"].count_documents({}) == 1
    raw = await database["deliveries"].find_one({"_id": str(delivery.submission_id)})
    assert raw is not None and raw["open"] is True and "erika@example.org" not in str(raw)  # the address sealed


async def test_an_anonymous_delivery_round_trips_without_a_citizen(database: Database) -> None:
    deliveries, delivery = MongoDeliveries(database), delivered(citizen_id=None)
    await deliveries.record([delivery])
    assert await deliveries.find(delivery.submission_id) == delivery


async def test_requests_answers_and_a_decision_each_count_once(database: Database) -> None:
    deliveries, delivery = MongoDeliveries(database), delivered()
    await deliveries.record([delivery])
    first, second, final = uuid4(), uuid4(), uuid4()
    for request in (first, first, second, first):  # redeliveries add nothing ($addToSet)
        await deliveries.ask(delivery.submission_id, request)
    await deliveries.answered(delivery.submission_id, first)
    await deliveries.answered(delivery.submission_id, first)
    found = await deliveries.find(delivery.submission_id)
    assert found is not None and found.requests == (first, second) and found.answered == (first,)
    assert found.decided_by is None
    await deliveries.decide(delivery.submission_id, final)
    await deliveries.decide(delivery.submission_id, final)
    found = await deliveries.find(delivery.submission_id)
    assert found is not None and found.decided_by == final and found.requests == (first, second)
    raw = await database["deliveries"].find_one({"_id": str(delivery.submission_id)})
    assert raw is not None and raw["open"] is False
    assert raw["requests"] == [str(first), str(second)] and raw["answered"] == [str(first)]


async def test_changes_to_a_delivery_not_recorded_change_nothing(database: Database) -> None:
    deliveries, missing = MongoDeliveries(database), uuid4()
    await deliveries.decide(missing, uuid4())
    await deliveries.ask(missing, uuid4())
    await deliveries.answered(missing, uuid4())
    assert await deliveries.find(missing) is None
    assert await database["deliveries"].count_documents({}) == 0  # no upsert made one up


async def test_an_erasure_forgets_only_that_citizens_deliveries(database: Database) -> None:
    deliveries = MongoDeliveries(database)
    theirs = [delivered(), delivered(agency_id=STANDESAMT)]
    others, anonymous = delivered(OTHER_CITIZEN_ID), delivered(None)
    for delivery in (*theirs, others, anonymous):
        await deliveries.record([delivery])
    assert await deliveries.forget_citizen(CITIZEN_ID) == 2
    assert await deliveries.forget_citizen(CITIZEN_ID) == 0  # the erasure handled again
    for delivery in theirs:
        assert await deliveries.find(delivery.submission_id) is None
    assert await deliveries.find(others.submission_id) == others
    assert await deliveries.find(anonymous.submission_id) == anonymous


async def test_in_flight_counts_the_undecided_per_agency_by_an_indexed_equality(database: Database) -> None:
    deliveries = MongoDeliveries(database)
    assert await deliveries.in_flight(GEWERBE) == 0
    decided, asked, waiting = delivered(), delivered(), delivered()
    for delivery in (decided, asked, waiting, delivered(agency_id=STANDESAMT)):
        await deliveries.record([delivery])
    await deliveries.decide(decided.submission_id, uuid4())
    await deliveries.ask(asked.submission_id, uuid4())  # asking for information leaves it in flight
    assert await deliveries.in_flight(GEWERBE) == 2
    assert await deliveries.in_flight(STANDESAMT) == 1
    assert await deliveries.in_flight("muenchen-wohnen") == 0
    indexes = [dict(index["key"]) async for index in await database["deliveries"].list_indexes()]
    assert {"citizen_id": 1} in indexes and {"agency_id": 1} in indexes
    if "ferretdbVersion" in await database.client.admin.command("buildInfo"):
        # Equalities FerretDB hands to PostgreSQL (test_store_patterns: answered by an index), not scans of its own.
        for query in ({"agency_id": GEWERBE, "open": True}, {"citizen_id": CITIZEN_ID}):
            plan = await database.command("explain", {"find": "deliveries", "filter": query})
            assert plan["filterPushdown"] is True, query


async def test_a_new_instance_finds_what_an_earlier_one_recorded(database: Database) -> None:
    delivery = delivered()
    await MongoDeliveries(database).record([delivery])
    restarted = MongoDeliveries(database)  # routing restarted: its indexes exist, creating them is a no-op
    assert await restarted.in_flight(GEWERBE) == 1
    assert await restarted.find(delivery.submission_id) == delivery


async def test_a_batch_is_recorded_in_one_go_and_a_redelivered_part_of_it_stays_as_it_was(database: Database) -> None:
    deliveries = MongoDeliveries(database)
    first, second, third = delivered(), delivered(), delivered()
    await deliveries.record([first, second])
    await deliveries.decide(first.submission_id, uuid4())
    await deliveries.record([first, third])  # first comes again in a later batch: recorded already, stays decided
    found = [await deliveries.find(each.submission_id) for each in (first, second, third)]
    assert [each is not None for each in found] == [True, True, True]
    assert found[0] is not None and found[0].decided_by is not None
