"""The MongoDB adapters against the real document store (FerretDB locally and in CI)."""

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import uuid4

import pytest
from pymongo import AsyncMongoClient
from pymongo.asynchronous.database import AsyncDatabase

from civicflow.intake.adapters.mongo_submissions import MongoSubmissions
from civicflow.intake.domain.submission import SubmissionRecord, TimelineEntry
from civicflow.local.layout import Layout
from civicflow.local.sample import BUSINESS_REGISTRATION, ERIKA
from civicflow.notify.adapters.mongo_notifications import MongoNotificationLedger
from civicflow.shared.idempotency import MongoProcessedEvents

pytestmark = pytest.mark.integration


@pytest.fixture
async def database(stack: Layout) -> AsyncIterator[AsyncDatabase[dict[str, Any]]]:
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(stack.mongo_uri, tz_aware=True)
    name = f"test_{uuid4().hex[:12]}"
    yield client[name]
    await client.drop_database(name)
    await client.close()


def entry(step: str, minutes: int) -> TimelineEntry:
    return TimelineEntry(
        event_id=uuid4(), step=step, at=datetime(2026, 11, 26, 12, tzinfo=UTC) + timedelta(minutes=minutes)
    )


def record(first: TimelineEntry) -> SubmissionRecord:
    return SubmissionRecord(
        submission_id=uuid4(),
        service_id="99050012104000",
        status="received",
        status_token_hash="0" * 64,
        trace_id="ab" * 16,
        received_at=first.at,
        applicant=ERIKA,
        form=BUSINESS_REGISTRATION,
        timeline=(first,),
    )


async def test_a_redelivered_event_adds_no_second_timeline_entry(database: AsyncDatabase[dict[str, Any]]) -> None:
    submissions = MongoSubmissions(database)
    stored = record(entry("received", 0))
    await submissions.add(stored)
    verified, notified, routed = entry("verified", 1), entry("notified", 2), entry("routed", 3)
    for step in (verified, notified, verified, routed, notified, routed):
        assert await submissions.record_step(stored.submission_id, step)
    found = await submissions.get(stored.submission_id)
    assert found is not None
    assert [e.step for e in found.sorted_timeline()] == ["received", "verified", "notified", "routed"]
    assert found.status == "routed"
    assert found.received_at == stored.received_at and found.applicant == ERIKA


async def test_the_status_never_moves_back(database: AsyncDatabase[dict[str, Any]]) -> None:
    submissions = MongoSubmissions(database)
    stored = record(entry("received", 0))
    await submissions.add(stored)
    await submissions.record_step(stored.submission_id, entry("routed", 2))
    await submissions.record_step(stored.submission_id, entry("verified", 1))
    found = await submissions.get(stored.submission_id)
    assert found is not None and found.status == "routed"


async def test_steps_for_unknown_submissions_are_reported(database: AsyncDatabase[dict[str, Any]]) -> None:
    assert not await MongoSubmissions(database).record_step(uuid4(), entry("verified", 1))
    assert await database["submissions"].count_documents({}) == 0


async def test_processed_events_are_remembered_once(database: AsyncDatabase[dict[str, Any]]) -> None:
    processed, event_id = MongoProcessedEvents(database), uuid4()
    assert not await processed.contains(event_id)
    await processed.add(event_id)
    await processed.add(event_id)  # a second delivery finishing late is harmless
    assert await processed.contains(event_id)


async def test_the_notification_ledger_keeps_the_first_send(database: AsyncDatabase[dict[str, Any]]) -> None:
    ledger = MongoNotificationLedger(database)
    assert not await ledger.was_sent("s.routed")
    await ledger.record_sent("s.routed", "email")
    first = await database["notifications"].find_one({"_id": "s.routed"})
    await ledger.record_sent("s.routed", "email")
    assert await ledger.was_sent("s.routed")
    assert await database["notifications"].find_one({"_id": "s.routed"}) == first
