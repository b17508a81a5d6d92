"""What notify keeps of an application is forgotten with the citizen's profile, and after its retention."""

import asyncio
from datetime import UTC, datetime, timedelta
from uuid import uuid4

import pytest

from civicflow.notify.domain.notes import note_of
from civicflow.notify.domain.notifications import KeptStep
from civicflow.notify.handlers.forgetting import forget_citizen, forget_old
from civicflow.shared.events import ErasureRequested, IdentityVerified, SubmissionRouted, personal
from tests.support.sealing import recipient, sealer_with_every_key
from tests.unit.notify.fake_notifications import FakeNotificationStore

SEALER = sealer_with_every_key()
CITIZEN = "b" * 32


def steps(citizen_id: str | None, at: datetime) -> list[KeptStep]:
    submission_id = uuid4()
    to = recipient(SEALER, submission_id, "erika@example.org")
    sealed = SEALER.seal(personal.FORM, {}, submission_id)
    verified = IdentityVerified(
        submission_id=submission_id,
        recipient=to,
        service_id="99050012104000",
        applicant=sealed,
        form=sealed,
        level_of_assurance="substantial",
        citizen_id=citizen_id,
        received_at=at,
    )
    routed = SubmissionRouted(submission_id=submission_id, recipient=to, agency_id="x1", municipality_key="05315000")
    return [KeptStep(note_of(verified), False, at), KeptStep(note_of(routed), True, at)]


async def test_an_erasure_forgets_every_application_of_the_citizen_and_no_other() -> None:
    store, now = FakeNotificationStore(), datetime.now(UTC)
    for kept in (steps(CITIZEN, now), steps(CITIZEN, now), steps("c" * 32, now)):
        await store.keep(kept)
    await forget_citizen(ErasureRequested(citizen_id=CITIZEN), store)
    assert {step.note.citizen_id for step in store.steps.values()} == {"c" * 32, None}
    assert len(store.steps) == 2


async def test_applications_last_heard_of_before_the_retention_are_forgotten() -> None:
    store, now = FakeNotificationStore(), datetime.now(UTC)
    await store.keep(steps(None, now - timedelta(days=400)))
    recent = steps(None, now - timedelta(days=400))
    await store.keep([recent[0], KeptStep(recent[1].note, True, now)])  # heard of again lately: kept whole
    sweeping = asyncio.create_task(forget_old(store, timedelta(days=365)))
    await asyncio.sleep(0.01)
    sweeping.cancel()
    with pytest.raises(asyncio.CancelledError):
        await sweeping
    assert {step.note.submission_id for step in store.steps.values()} == {recent[0].note.submission_id}
    assert len(store.steps) == 2
