"""The MongoDB adapters against the real document store (FerretDB locally and in CI)."""

from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

import pytest
from pymongo.asynchronous.database import AsyncDatabase

from civicflow.intake.adapters.mongo_submissions import MongoSubmissions
from civicflow.intake.domain.outbox import OutgoingEvent
from civicflow.intake.domain.submission import SubmissionRecord, TimelineEntry
from civicflow.local.sample import BUSINESS_REGISTRATION, ERIKA
from civicflow.shared import topics
from civicflow.shared.messaging import MongoProcessedEvents

pytestmark = pytest.mark.integration

START = datetime(2026, 11, 26, 12, tzinfo=UTC)


def entry(submission_id: UUID, step: str, minutes: int) -> TimelineEntry:
    return TimelineEntry(
        event_id=uuid4(), submission_id=submission_id, step=step, at=START + timedelta(minutes=minutes)
    )


def record(submission_id: UUID | None = None, at: datetime = START) -> SubmissionRecord:
    submission_id = submission_id or uuid4()
    received = TimelineEntry(event_id=uuid4(), submission_id=submission_id, step="received", at=at)
    return SubmissionRecord(
        submission_id=submission_id,
        service_id="99050012104000",
        status_token_hash="0" * 64,
        trace_id="ab" * 16,
        received_at=at,
        applicant=ERIKA,
        form=BUSINESS_REGISTRATION,
        timeline=(received,),
    )


def outgoing(stored: SubmissionRecord) -> OutgoingEvent:
    key = str(stored.submission_id)
    return OutgoingEvent(stored.submission_id, topics.SUBMISSION_RECEIVED, key, b'{"event": 1}', {"traceparent": "x"})


async def test_a_redelivered_event_adds_no_second_timeline_entry(database: AsyncDatabase[dict[str, Any]]) -> None:
    submissions = MongoSubmissions(database)
    await submissions.prepare()
    stored = record()
    await submissions.add(stored, outgoing(stored))
    sid = stored.submission_id
    verified, notified, routed = entry(sid, "verified", 1), entry(sid, "notified", 2), entry(sid, "routed", 3)
    await submissions.record_steps([verified, notified])
    await submissions.record_steps([verified, routed, notified, routed])  # redelivered, in one batch too
    found = await submissions.get(sid)
    assert found is not None
    assert [e.step for e in found.sorted_timeline()] == ["received", "verified", "notified", "routed"]
    assert found.status == "routed"
    assert found.received_at == stored.received_at and found.applicant == ERIKA


async def test_the_status_never_moves_back(database: AsyncDatabase[dict[str, Any]]) -> None:
    submissions = MongoSubmissions(database)
    stored = record()
    await submissions.add(stored, outgoing(stored))
    await submissions.record_steps([entry(stored.submission_id, "routed", 2)])
    await submissions.record_steps([entry(stored.submission_id, "verified", 1)])
    found = await submissions.get(stored.submission_id)
    assert found is not None and found.status == "routed"


async def test_timelines_of_different_submissions_stay_apart(database: AsyncDatabase[dict[str, Any]]) -> None:
    submissions = MongoSubmissions(database)
    await submissions.prepare()
    first, second = record(), record()
    for stored in (first, second):
        await submissions.add(stored, outgoing(stored))
    await submissions.record_steps(
        [entry(first.submission_id, "verified", 1), entry(second.submission_id, "rejected", 1)]
    )
    one, two = await submissions.get(first.submission_id), await submissions.get(second.submission_id)
    assert one is not None and two is not None
    assert (one.status, two.status) == ("verified", "rejected")


async def test_the_outbox_holds_each_event_until_it_is_marked_sent(database: AsyncDatabase[dict[str, Any]]) -> None:
    submissions = MongoSubmissions(database)
    await submissions.prepare()
    old, new = record(at=START), record(at=START + timedelta(minutes=5))
    for stored in (new, old):
        await submissions.add(stored, outgoing(stored))
    pending = await submissions.pending(10, older_than=START + timedelta(minutes=10))
    assert [item.submission_id for item in pending] == [old.submission_id, new.submission_id]  # oldest first
    assert pending[0] == outgoing(old)  # the bytes and the trace context, as stored
    assert [i.submission_id for i in await submissions.pending(10, START + timedelta(minutes=1))] == [old.submission_id]
    await submissions.mark_sent([old.submission_id])
    await submissions.mark_undeliverable(new.submission_id, "MessageSizeTooLargeError")
    assert await submissions.pending(10, older_than=START + timedelta(days=1)) == []
    readable = await submissions.get(old.submission_id)
    assert readable is not None and readable.status == "received"


async def test_processed_events_are_remembered_and_forgotten_after_the_retention(
    database: AsyncDatabase[dict[str, Any]],
) -> None:
    processed = MongoProcessedEvents(database, timedelta(days=14))
    first, second, halfway = uuid4(), uuid4(), uuid4()
    assert await processed.seen([first, second, halfway]) == set()  # all claimed now
    await processed.add([first, second])
    await processed.add([second])  # a second record of the same is harmless
    # halfway was claimed but never done (its consumer stopped): it is handled again
    assert await processed.seen([first, second, halfway, uuid4()]) == {first, second}
    await database["processed_events"].update_many({}, {"$set": {"at": datetime.now(UTC) - timedelta(days=15)}})
    for kept in (f"claim:{second}", f"done:{second}"):  # recorded recently
        await database["processed_events"].update_one({"_id": kept}, {"$set": {"at": datetime.now(UTC)}})
    await processed.forget_expired()
    assert await processed.seen([first, second]) == {second}
