"""An address that does not say its municipality: the application waits, the citizen is asked, and their answer
delivers it (never a guess, never a drop); an answer not offered is refused, an erasure forgets it."""

from datetime import UTC, datetime, timedelta
from uuid import UUID

import pytest
from pydantic import BaseModel

from civicflow.local.sample import BUSINESS_REGISTRATION, ERIKA
from civicflow.routing.adapters.file_reference_data import load_postal_index
from civicflow.routing.handlers import (
    CLARIFICATION_DAYS,
    Router,
    clarify,
    forget_waiting,
    give_up_unanswered,
    route_submission,
)
from civicflow.shared import topics
from civicflow.shared.events import (
    Applicant,
    ClarificationProvided,
    ErasureRequested,
    IdentityVerified,
    MunicipalityChoice,
    Step,
    SubmissionNeedsClarification,
    SubmissionRouted,
    SubmissionUnroutable,
    derive_event_id,
)
from civicflow.shared.messaging import PermanentFailure
from civicflow.shared.messaging.failures import Disposition, classify
from civicflow.shared.security.keys import KeyName, keyring
from civicflow.shared.security.sealing import sealer_for
from tests.support import sealing
from tests.support.agencies import keyed_registry, open_delivery
from tests.unit.fakes import FakeDeliveries, FakePublisher, FakeWaitingApplications

KEYS = sealing.made_keys()
INTAKE = sealing.sealer_with_every_key(KEYS)
ROUTING = sealer_for(KEYS, KeyName.APPLICANT)
PSEUDONYM_KEY = keyring(KEYS, KeyName.AGENCY_PSEUDONYM).current
KOELN = "05315000"
BUSINESS = "99050012104000"  # Köln's agency for it: koeln-gewerbe
RENT_ADVICE = "99116002000000"  # only München has an agency for it


def verified(postal_code: str, city: str, service_id: str = BUSINESS) -> IdentityVerified:
    applicant = Applicant.model_validate(
        ERIKA | {"address": {"street": "Markt 1", "postal_code": postal_code, "city": city}}
    )
    return sealing.verified(INTAKE, applicant, BUSINESS_REGISTRATION, service_id)


def router(waiting: FakeWaitingApplications) -> Router:
    registry = keyed_registry()
    return Router(load_postal_index(), lambda: registry, ROUTING, PSEUDONYM_KEY, waiting, FakeDeliveries())


def answer(event: IdentityVerified, municipality_key: str) -> ClarificationProvided:
    return ClarificationProvided(
        submission_id=event.submission_id, recipient=event.recipient, municipality_key=municipality_key
    )


def same_but_when(publisher: FakePublisher) -> list[tuple[str, dict[str, object], str]]:
    """What was published, but when (each event is stamped as it is made); an application for an agency as the
    agency opens it (it is encrypted anew each time)."""
    return [
        (topic, _opened(topic, event).model_dump(exclude={"occurred_at"}), key)
        for topic, event, key in publisher.published
    ]


def _opened(topic: str, published: BaseModel | bytes) -> BaseModel:
    return open_delivery(published, topic.split(".")[1]) if isinstance(published, bytes) else published


async def waiting_for_an_answer(event: IdentityVerified) -> FakeWaitingApplications:
    waiting = FakeWaitingApplications()
    await route_submission(event, router(waiting), FakePublisher())
    return waiting


async def test_a_postal_code_and_city_that_contradict_each_other_wait_and_the_citizen_is_asked() -> None:
    event, waiting, publisher = verified("51147", "Flensburg"), FakeWaitingApplications(), FakePublisher()
    await route_submission(event, router(waiting), publisher)
    assert publisher.topics() == [topics.CLARIFICATION_NEEDED]  # not Köln without a word, and nothing to an agency
    asked = publisher.published[0][1]
    assert isinstance(asked, SubmissionNeedsClarification)
    assert asked.event_id == derive_event_id(event.event_id, Step.CLARIFICATION_NEEDED)
    assert asked.reason == "postal_code_city_mismatch" and asked.recipient == event.recipient
    assert asked.choices == (MunicipalityChoice(municipality_key=KOELN, name="Köln"),)
    assert "Erika" not in asked.model_dump_json() and "Markt" not in asked.model_dump_json()
    assert publisher.published[0][2] == str(event.submission_id)
    kept = waiting.waiting[event.submission_id]
    assert kept.event == event and kept.choices == (KOELN,)  # as it came: its personal fields sealed as they were


async def test_a_redelivered_application_waits_once_and_is_asked_about_with_the_same_event() -> None:
    event, waiting = verified("51147", "Flensburg"), FakeWaitingApplications()
    first, again = FakePublisher(), FakePublisher()
    await route_submission(event, router(waiting), first)
    await route_submission(event, router(waiting), again)
    assert len(first.published) == 1 and same_but_when(first) == same_but_when(again)
    asked = first.published[0][1]
    assert isinstance(asked, SubmissionNeedsClarification)
    assert asked.event_id == derive_event_id(event.event_id, Step.CLARIFICATION_NEEDED)
    assert list(waiting.waiting) == [event.submission_id]


async def test_the_citizens_answer_delivers_it_as_if_routed_at_once_and_it_waits_no_more() -> None:
    event = verified("51147", "Flensburg")
    waiting, publisher = await waiting_for_an_answer(event), FakePublisher()
    await clarify(answer(event, KOELN), router(waiting), publisher)
    assert publisher.topics() == [topics.agency_submissions("koeln-gewerbe"), topics.SUBMISSION_ROUTED]
    delivery, routed = publisher.published[0][1], publisher.published[1][1]
    assert isinstance(delivery, bytes) and isinstance(routed, SubmissionRouted)
    delivery = open_delivery(delivery, "koeln-gewerbe")
    # Derived from the application's IdentityVerified event, as when routed at once: a redelivery makes the same.
    assert delivery.event_id == derive_event_id(event.event_id, Step.DELIVERED)
    assert routed.event_id == derive_event_id(event.event_id, Step.ROUTED)
    assert delivery.municipality_key == routed.municipality_key == KOELN and routed.recipient == event.recipient
    assert delivery.form == BUSINESS_REGISTRATION and delivery.applicant.family_name == ERIKA["family_name"]
    assert {key for _, _, key in publisher.published} == {str(event.submission_id)}
    assert waiting.waiting == {}


async def test_an_answer_that_comes_again_after_delivery_does_nothing() -> None:
    event = verified("51147", "Flensburg")
    waiting = await waiting_for_an_answer(event)
    await clarify(answer(event, KOELN), router(waiting), FakePublisher())
    again = FakePublisher()
    await clarify(answer(event, KOELN), router(waiting), again)
    assert again.published == []


async def test_a_municipality_not_offered_is_refused_for_good_and_the_application_waits_on() -> None:
    event = verified("51147", "Flensburg")
    waiting, publisher = await waiting_for_an_answer(event), FakePublisher()
    with pytest.raises(PermanentFailure) as refused:
        await clarify(answer(event, "11000000"), router(waiting), publisher)  # Berlin: not among the choices
    assert classify(refused.value) is Disposition.PERMANENT  # dead-lettered, not retried
    assert publisher.published == [] and event.submission_id in waiting.waiting


async def test_a_chosen_municipality_without_an_agency_for_the_service_is_unroutable_not_dropped() -> None:
    event = verified("51147", "Flensburg", RENT_ADVICE)
    waiting, publisher = await waiting_for_an_answer(event), FakePublisher()
    await clarify(answer(event, KOELN), router(waiting), publisher)
    assert publisher.topics() == [topics.SUBMISSION_UNROUTABLE]
    unroutable = publisher.published[0][1]
    assert isinstance(unroutable, SubmissionUnroutable)
    assert (unroutable.reason, unroutable.municipality_key) == ("no_responsible_agency", KOELN)
    assert unroutable.event_id == derive_event_id(event.event_id, Step.UNROUTABLE)
    assert waiting.waiting == {}


class ForgettingFails(FakeWaitingApplications):
    """The store fails once after the application was delivered (as a crash would stop it there)."""

    def __init__(self) -> None:
        super().__init__()
        self.failures = 1

    async def release(self, submission_id: UUID) -> None:
        if self.failures:
            self.failures -= 1
            raise ConnectionError("store unavailable")
        await super().release(submission_id)


async def test_an_answer_handled_again_after_a_failure_delivers_the_same_events_again() -> None:
    event, waiting = verified("51147", "Flensburg"), ForgettingFails()
    await route_submission(event, router(waiting), FakePublisher())
    first, again = FakePublisher(), FakePublisher()
    with pytest.raises(ConnectionError):
        await clarify(answer(event, KOELN), router(waiting), first)
    await clarify(answer(event, KOELN), router(waiting), again)
    assert len(first.published) == 2 and same_but_when(first) == same_but_when(again)
    assert waiting.waiting == {}


async def test_an_erasure_forgets_the_citizens_waiting_applications_only() -> None:
    theirs, others = verified("51147", "Flensburg"), verified("51147", "Flensburg")
    others = others.model_copy(update={"citizen_id": "b" * 32})
    waiting = FakeWaitingApplications()
    for event in (theirs, others):
        await route_submission(event, router(waiting), FakePublisher())
    assert theirs.citizen_id is not None
    ended = FakePublisher()
    await forget_waiting(ErasureRequested(citizen_id=theirs.citizen_id), router(waiting), ended)
    assert list(waiting.waiting) == [others.submission_id]
    # their timeline ends with why, and they are told: never dropped unsaid
    ((topic, unroutable, key),) = ended.published
    assert topic == topics.SUBMISSION_UNROUTABLE and key == str(theirs.submission_id)
    assert isinstance(unroutable, SubmissionUnroutable) and unroutable.reason == "erased_while_waiting"
    later = FakePublisher()
    await clarify(answer(theirs, KOELN), router(waiting), later)  # an answer given before the erasure came
    assert later.published == []


async def test_an_application_whose_citizen_does_not_answer_in_time_ends_undeliverable_and_is_forgotten() -> None:
    waiting = FakeWaitingApplications()
    old, recent = verified("51147", "Flensburg"), verified("51147", "Flensburg")
    for event in (old, recent):
        await route_submission(event, router(waiting), FakePublisher())
    now = datetime.now(UTC)
    waiting.since[old.submission_id] = now - timedelta(days=CLARIFICATION_DAYS, minutes=1)
    ended = FakePublisher()
    assert await give_up_unanswered(now, router(waiting), ended) == 1
    ((topic, unroutable, _),) = ended.published
    assert topic == topics.SUBMISSION_UNROUTABLE and isinstance(unroutable, SubmissionUnroutable)
    assert unroutable.reason == "clarification_not_given" and unroutable.submission_id == old.submission_id
    assert list(waiting.waiting) == [recent.submission_id]
    assert await give_up_unanswered(now, router(waiting), FakePublisher()) == 0  # the recent one waits on


async def test_an_application_filed_before_its_citizens_erasure_that_comes_to_wait_after_it_is_not_kept() -> None:
    waiting = FakeWaitingApplications()
    before = verified("51147", "Flensburg")
    assert before.citizen_id is not None
    erasure = ErasureRequested(citizen_id=before.citizen_id, occurred_at=before.received_at + timedelta(minutes=1))
    await forget_waiting(erasure, router(waiting), FakePublisher())  # nothing of theirs waits yet
    late = FakePublisher()
    await route_submission(before, router(waiting), late)  # routing was behind: it comes to wait only now
    ((topic, unroutable, _),) = late.published
    assert topic == topics.SUBMISSION_UNROUTABLE and isinstance(unroutable, SubmissionUnroutable)
    assert unroutable.reason == "erased_while_waiting" and waiting.waiting == {}
    after = verified("51147", "Flensburg").model_copy(
        update={"received_at": erasure.occurred_at + timedelta(minutes=1)}
    )  # a new application, with a new consent to be asked
    asked = FakePublisher()
    await route_submission(after, router(waiting), asked)
    assert asked.topics() == [topics.CLARIFICATION_NEEDED] and list(waiting.waiting) == [after.submission_id]
