"""Intake's side of the once-only profile, with its ports faked: the copy kept from what identity publishes, the
citizen's submissions, a change of contact preferences passed on, and an erasure published before anything is
erased."""

from datetime import UTC, datetime, timedelta
from uuid import UUID, uuid4

import pytest

from civicflow.intake.domain.catalogue import Catalogue
from civicflow.intake.domain.submission import SubmissionRecord, TimelineEntry
from civicflow.intake.profiles import (
    NotPublished,
    OwnSubmission,
    Profiles,
    SubmissionLink,
    keep_published,
    link_submissions,
)
from civicflow.local.sample import ERIKA
from civicflow.shared import topics
from civicflow.shared.events import (
    Applicant,
    ContactPreferences,
    ContactPreferencesChanged,
    ErasureRequested,
    ProfileSaved,
    Step,
    personal,
)
from civicflow.shared.messaging.failures import Disposition, classify
from civicflow.shared.security.sealing import Sealer, Unsealable
from tests.support.profiles import CITIZEN_ID, OTHER_CITIZEN_ID, erika_profile
from tests.support.sealing import sealer_with_every_key, verified
from tests.unit.fakes import FakePublisher
from tests.unit.intake.fakes import FakeProfileCopies, FakeSubmissions

SERVICE_ID = "99050012104000"
NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)


class World:
    def __init__(self, publisher_fails: bool = False) -> None:
        self.sealer = sealer_with_every_key()
        self.copies = FakeProfileCopies()
        self.submissions = FakeSubmissions()
        self.publisher = FakePublisher(fail=publisher_fails)
        self.profiles = Profiles(self.copies, self.submissions, self.publisher, self.sealer)

    def file(self, received_at: datetime, *steps: Step) -> UUID:
        submission_id = uuid4()
        timeline = [
            TimelineEntry(event_id=uuid4(), submission_id=submission_id, step=step, at=received_at)
            for step in (Step.RECEIVED, *steps)
        ]
        self.submissions.records[submission_id] = SubmissionRecord(
            submission_id=submission_id,
            service_id=SERVICE_ID,
            status_token_hash="0" * 64,
            trace_id=None,
            received_at=received_at,
            applicant=dict(ERIKA),
            form={"trade": "Bakery"},
            timeline=tuple(timeline),
        )
        return submission_id


def saved(sealer: Sealer, citizen_id: str, at: datetime, email: str = "erika@example.org") -> ProfileSaved:
    sealed = sealer.seal(personal.PROFILE, erika_profile(email), personal.of_citizen(citizen_id))
    return ProfileSaved(citizen_id=citizen_id, profile=sealed, occurred_at=at)


async def test_a_published_profile_is_kept_and_shown_with_its_values_and_prefill() -> None:
    world = World()
    assert await world.profiles.values(CITIZEN_ID) == []
    await keep_published([saved(world.sealer, CITIZEN_ID, NOW)], world.copies, world.sealer)
    assert await world.profiles.profile(CITIZEN_ID) == erika_profile()
    assert len(await world.profiles.values(CITIZEN_ID)) == 9
    spec = Catalogue.bundled().services[SERVICE_ID]
    assert [value.name for value in await world.profiles.prefill(CITIZEN_ID, spec)][:2] == [
        "applicant.given_name",
        "applicant.family_name",
    ]
    assert await world.profiles.prefill(OTHER_CITIZEN_ID, spec) == []


async def test_an_older_version_arriving_later_is_not_kept() -> None:
    world = World()
    newer, older = (
        saved(world.sealer, CITIZEN_ID, NOW, "new@example.org"),
        saved(world.sealer, CITIZEN_ID, NOW - timedelta(1)),
    )
    await keep_published([newer, older], world.copies, world.sealer)
    kept = await world.profiles.profile(CITIZEN_ID)
    assert kept is not None and str(kept.contact.email) == "new@example.org"


async def test_a_profile_sealed_for_another_citizen_does_not_open_and_is_a_permanent_failure() -> None:
    world = World()
    sealed = world.sealer.seal(personal.PROFILE, erika_profile(), personal.of_citizen(OTHER_CITIZEN_ID))
    forged = ProfileSaved(citizen_id=CITIZEN_ID, profile=sealed)
    with pytest.raises(Unsealable) as raised:
        await keep_published([forged], world.copies, world.sealer)
    assert classify(raised.value) is Disposition.PERMANENT
    assert await world.profiles.profile(CITIZEN_ID) is None


async def test_verified_submissions_are_linked_to_their_citizen_and_listed_newest_first() -> None:
    world = World()
    first, second = world.file(NOW - timedelta(days=3), Step.VERIFIED, Step.ROUTED), world.file(NOW, Step.VERIFIED)
    events = [verified(world.sealer, _applicant(), {}, SERVICE_ID, submission_id) for submission_id in (first, second)]
    events[0] = events[0].model_copy(update={"received_at": NOW - timedelta(days=3)})
    events[1] = events[1].model_copy(update={"received_at": NOW})
    anonymous = events[1].model_copy(update={"citizen_id": None, "submission_id": uuid4()})
    await link_submissions([*events, anonymous], world.copies, world.submissions)
    await link_submissions(events, world.copies, world.submissions)  # again, as a redelivery would
    assert await world.profiles.submissions(CITIZEN_ID) == [
        OwnSubmission(second, SERVICE_ID, NOW, "verified"),
        OwnSubmission(first, SERVICE_ID, NOW - timedelta(days=3), "routed"),
    ]
    assert await world.profiles.submissions(OTHER_CITIZEN_ID) == []


async def test_new_contact_preferences_are_published_sealed_for_the_citizen() -> None:
    world = World()
    contact = ContactPreferences(email="erika@example.net", language="en")
    await world.profiles.change_contact(CITIZEN_ID, contact)
    ((topic, event, key),) = world.publisher.published
    assert (topic, key) == (topics.CONTACT_PREFERENCES_CHANGED, CITIZEN_ID)
    assert isinstance(event, ContactPreferencesChanged) and event.citizen_id == CITIZEN_ID
    assert "erika@example.net" not in event.model_dump_json()
    opened = world.sealer.open(personal.CONTACT_PREFERENCES, event.contact, personal.of_citizen(CITIZEN_ID))
    assert opened == contact


async def test_contact_preferences_not_published_raise() -> None:
    world = World(publisher_fails=True)
    with pytest.raises(NotPublished):
        await world.profiles.change_contact(CITIZEN_ID, ContactPreferences(email="erika@example.net"))


async def test_an_erasure_is_published_then_the_copy_links_and_personal_data_go() -> None:
    world = World()
    await keep_published([saved(world.sealer, CITIZEN_ID, NOW)], world.copies, world.sealer)
    own = world.file(NOW, Step.VERIFIED)
    someone_elses = world.file(NOW, Step.VERIFIED)
    await world.copies.link([_link(CITIZEN_ID, own), _link(OTHER_CITIZEN_ID, someone_elses)])

    await world.profiles.erase(CITIZEN_ID)

    ((topic, event, key),) = world.publisher.published
    assert (topic, key) == (topics.ERASURE_REQUESTED, CITIZEN_ID) and isinstance(event, ErasureRequested)
    assert await world.profiles.profile(CITIZEN_ID) is None
    assert await world.profiles.submissions(CITIZEN_ID) == []
    record = world.submissions.records[own]
    assert (record.applicant, record.form) == ({}, {})
    assert record.status == "verified" and len(record.timeline) == 2  # the status link still answers
    assert world.submissions.records[someone_elses].applicant == dict(ERIKA)
    # a version identity published before the erasure, arriving after it, is not kept
    await keep_published([saved(world.sealer, CITIZEN_ID, NOW)], world.copies, world.sealer)
    assert await world.profiles.profile(CITIZEN_ID) is None


async def test_a_submission_filed_before_an_erasure_and_verified_after_it_is_anonymised() -> None:
    world = World()
    world.copies.erasures[CITIZEN_ID] = NOW  # the citizen erased their profile at NOW
    before, after = world.file(NOW - timedelta(days=1), Step.VERIFIED), world.file(NOW + timedelta(days=1))
    events = [
        verified(world.sealer, _applicant(), {}, SERVICE_ID, submission_id).model_copy(update={"received_at": at})
        for submission_id, at in ((before, NOW - timedelta(days=1)), (after, NOW + timedelta(days=1)))
    ]
    await link_submissions(events, world.copies, world.submissions)
    assert world.submissions.records[before].applicant == {}
    assert world.submissions.records[after].applicant == dict(ERIKA)  # filed again after erasing: theirs to keep
    assert await world.copies.submissions_of(CITIZEN_ID) == [after]


async def test_an_erasure_not_published_erases_nothing() -> None:
    world = World(publisher_fails=True)
    await keep_published([saved(world.sealer, CITIZEN_ID, NOW)], world.copies, world.sealer)
    own = world.file(NOW, Step.VERIFIED)
    await world.copies.link([_link(CITIZEN_ID, own)])
    with pytest.raises(NotPublished):
        await world.profiles.erase(CITIZEN_ID)
    assert await world.profiles.profile(CITIZEN_ID) is not None
    assert await world.copies.submissions_of(CITIZEN_ID) == [own]
    assert world.submissions.records[own].applicant == dict(ERIKA)


def _link(citizen_id: str, submission_id: UUID) -> SubmissionLink:
    return SubmissionLink(citizen_id, submission_id, NOW)


def _applicant() -> Applicant:
    return Applicant.model_validate(ERIKA)
