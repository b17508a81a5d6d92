"""Notify's steps, windows and messages in the real document store (FerretDB over PostgreSQL): every store pattern
adapters.mongo_notifications uses. What must happen once is an insert by _id: of concurrent windows for one
application exactly one opens, a redelivered step is kept once, a notification written twice is one."""

import asyncio
import dataclasses
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import uuid4

import pytest
from pymongo.asynchronous.database import AsyncDatabase

from civicflow.notify.adapters.mongo_notifications import MongoNotifications
from civicflow.notify.domain.notes import StepNote, note_of
from civicflow.notify.domain.notifications import KeptStep, Notification, Window
from civicflow.shared.events import IdentityVerified, NotificationStatus, SubmissionRouted, personal
from tests.support.sealing import recipient, sealer_with_every_key

pytestmark = pytest.mark.integration

Database = AsyncDatabase[dict[str, Any]]
SEALER = sealer_with_every_key()
NOW = datetime.now(UTC).replace(microsecond=0)
CITIZEN = "a" * 32


def routed_note() -> StepNote:
    submission_id = uuid4()
    return note_of(
        SubmissionRouted(
            submission_id=submission_id,
            recipient=recipient(SEALER, submission_id, "erika@example.org"),
            agency_id="koeln-gewerbe",
            municipality_key="05315000",
        )
    )


def verified_note(note: StepNote) -> StepNote:
    sealed = SEALER.seal(personal.FORM, {}, note.submission_id)
    return note_of(
        IdentityVerified(
            submission_id=note.submission_id,
            recipient=note.recipient,
            service_id="99050012104000",
            applicant=sealed,
            form=sealed,
            level_of_assurance="substantial",
            citizen_id=CITIZEN,
            received_at=NOW,
        )
    )


async def due(store: MongoNotifications, now: datetime) -> list[Window]:
    return [window for window in await store.earliest(1000) if window.due <= now]


def notification_of(note: StepNote) -> Notification:
    link = SEALER.seal(personal.STATUS_LINK, "https://example.org/status/x?token=t", note.submission_id)
    window = Window(note.submission_id, note.event_id, NOW)
    return Notification(window.notification_id, note.submission_id, note, (note.step,), True, None, status_link=link)


async def test_a_step_is_kept_once_and_told_steps_are_not_returned_again(database: Database) -> None:
    store, note = MongoNotifications(database), routed_note()
    step = KeptStep(note, tells=True, at=NOW, trace={"traceparent": "00-" + "1" * 32 + "-" + "2" * 16 + "-01"})
    assert await store.keep([step]) == [step]
    assert await store.keep([step]) == [step]  # delivered again before any message told of it
    (kept,) = await store.steps_of(note.submission_id)
    assert (kept.note, kept.tells, kept.at, dict(kept.trace)) == (note, True, NOW, dict(step.trace))
    notification = notification_of(note)
    await store.create(notification, [note.event_id])
    await store.create(notification, [note.event_id])  # a window looked at twice
    assert await database["notifications"].count_documents({"submission_id": str(note.submission_id)}) == 1
    assert await store.keep([step]) == []  # told: a redelivery opens no window
    (kept,) = await store.steps_of(note.submission_id)
    assert kept.notification_id == notification.notification_id


async def test_of_concurrent_windows_for_one_application_one_opens_and_is_due_in_order(database: Database) -> None:
    store, note = MongoNotifications(database), routed_note()
    windows = [Window(note.submission_id, uuid4(), NOW + timedelta(seconds=seconds)) for seconds in range(10)]
    await asyncio.gather(*(store.open([window]) for window in windows))
    assert await database["windows"].count_documents({"_id": str(note.submission_id)}) == 1
    (opened,) = [w for w in await due(store, NOW + timedelta(minutes=1)) if w.submission_id == note.submission_id]
    other = Window(uuid4(), uuid4(), NOW - timedelta(seconds=5))
    await store.open([other])
    earliest = await store.earliest(1000)
    assert earliest.index(other) < earliest.index(opened)
    assert [w.due for w in earliest] == sorted(w.due for w in earliest)
    assert other not in await due(store, NOW - timedelta(seconds=6))
    await store.close(dataclasses.replace(opened, opened_by=uuid4()))  # another window by now: stays open
    assert opened in await due(store, NOW + timedelta(minutes=1))
    await store.close(opened)
    await store.close(other)
    assert opened not in await due(store, NOW + timedelta(minutes=1))


async def test_a_notification_records_its_attempt_then_its_outcome(database: Database) -> None:
    store, note = MongoNotifications(database), routed_note()
    notification = notification_of(note)
    await store.create(notification, [])
    assert await store.get(notification.notification_id) == notification
    begun = await store.begin(notification.notification_id)
    assert begun is not None and (begun.status, begun.attempts) == ("created", 1)
    await store.settle(notification.notification_id, NotificationStatus.TEMPORARY_FAILURE, "email", "SMTP 451")
    again = await store.begin(notification.notification_id)  # a temporary failure is tried again
    assert again is not None and (again.status, again.attempts, again.channel) == ("temporary-failure", 2, "email")
    assert again.reason == "SMTP 451"
    await store.settle(notification.notification_id, NotificationStatus.SENDING, "email", None)
    found = await store.get(notification.notification_id)
    assert found is not None and found.status == "sending" and found.status_link == notification.status_link
    assert found.reason is None  # the outcome reported again on a redelivery (handlers.sending) is the latest one
    assert await store.begin(notification.notification_id) is None  # sent: no more attempts
    found = await store.get(notification.notification_id)
    assert found is not None and found.attempts == 2
    assert await store.get(uuid4()) is None and await store.begin(uuid4()) is None


async def test_an_erasure_forgets_the_citizens_applications_and_the_sweep_the_old_ones(database: Database) -> None:
    store = MongoNotifications(database)
    theirs, others, old = routed_note(), routed_note(), routed_note()
    await store.keep([KeptStep(theirs, True, NOW), KeptStep(verified_note(theirs), False, NOW)])
    await store.keep([KeptStep(others, True, NOW), KeptStep(old, True, NOW - timedelta(days=400))])
    await store.open([Window(theirs.submission_id, theirs.event_id, NOW)])
    await store.create(notification_of(theirs), [theirs.event_id])
    assert await store.forget_citizen(CITIZEN) == 1
    assert await store.steps_of(theirs.submission_id) == []
    assert await store.get(notification_of(theirs).notification_id) is None
    assert theirs.submission_id not in {w.submission_id for w in await due(store, NOW + timedelta(days=1))}
    assert await store.forget_before(NOW - timedelta(days=365)) >= 1
    assert await store.steps_of(old.submission_id) == []
    assert len(await store.steps_of(others.submission_id)) == 1
