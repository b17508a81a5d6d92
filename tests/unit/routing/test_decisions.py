"""After delivery: an agency's decision reaches the citizen only if the agency's registered key signed it, on its own
topic, for an application delivered to it; the citizen's answer to its request goes to the agency, once."""

import json
from datetime import UTC, datetime
from functools import cache
from uuid import UUID, uuid4

import pytest
from civicflow_agency import wire

from civicflow.local.sample import BUSINESS_REGISTRATION, ERIKA
from civicflow.routing.adapters.file_reference_data import load_postal_index
from civicflow.routing.decisions import decision_of, forward_answer, take_decision
from civicflow.routing.domain.registry import AgencyRegistry
from civicflow.routing.handlers import Delivered, Router, forget_waiting, route_submission
from civicflow.shared import topics
from civicflow.shared.events import (
    AgencyDecision,
    AgencyInformation,
    Applicant,
    ErasureRequested,
    IdentityVerified,
    InformationProvided,
    SubmissionDecided,
    personal,
)
from civicflow.shared.messaging import PermanentFailure
from civicflow.shared.messaging.deliveries import Delivery
from civicflow.shared.security.keys import KeyName, keyring
from civicflow.shared.security.sealing import sealer_for
from tests.support import sealing
from tests.support.agencies import registry_json, unit_key, unit_signing_key
from tests.unit.fakes import FakeDeliveries, FakePublisher, FakeWaitingApplications

KEYS = sealing.made_keys()
INTAKE = sealing.sealer_with_every_key(KEYS)
ROUTING = sealer_for(KEYS, KeyName.APPLICANT, KeyName.CORRESPONDENCE)
PSEUDONYM_KEY = keyring(KEYS, KeyName.AGENCY_PSEUDONYM).current
GEWERBE, STANDESAMT = "koeln-gewerbe", "koeln-standesamt"
BUSINESS = "99050012104000"  # Köln's agency for it: koeln-gewerbe
REASON = "Ihre Gewerbeanmeldung ist vollständig.\nSie erhalten die Bestätigung per Post."


@cache
def signing_registry() -> AgencyRegistry:
    """The bundled registry with the unit encryption keys, and for these two agencies their signing key after it."""
    registry = json.loads(registry_json())
    for agency in registry["agencies"]:
        if agency["agency_id"] in (GEWERBE, STANDESAMT):
            agency["public_keys"].append(unit_signing_key(agency["agency_id"]).as_dict(private=False))
    return AgencyRegistry.from_json(json.dumps(registry))


def router(deliveries: FakeDeliveries | None = None) -> Router:
    registry = signing_registry()
    waiting, deliveries = FakeWaitingApplications(), deliveries or FakeDeliveries()
    return Router(load_postal_index(), lambda: registry, ROUTING, PSEUDONYM_KEY, waiting, deliveries)


def verified() -> IdentityVerified:
    applicant = Applicant.model_validate(
        ERIKA | {"address": {"street": "Markt 1", "postal_code": "51147", "city": "Köln"}}
    )
    return sealing.verified(INTAKE, applicant, BUSINESS_REGISTRATION, BUSINESS)


async def delivered_application(routing: Router) -> IdentityVerified:
    """An application routing delivered to koeln-gewerbe (and so recorded)."""
    event = verified()
    await route_submission(event, routing, FakePublisher())
    return event


def decision(
    submission_id: UUID,
    *,
    agency_id: str = GEWERBE,
    outcome: str = "accepted",
    reason: str = REASON,
    signed_by: str | None = None,
    topic: str | None = None,
    decision_id: UUID | None = None,
) -> AgencyDecision:
    """A decision as the agency kit signs it, read from its record as routing's subscription reads it."""
    payload = wire.decision_payload(
        decision_id=str(decision_id or uuid4()), submission_id=str(submission_id), agency_id=agency_id,
        outcome=outcome, reason=reason, decided_at=datetime.now(UTC),
    )  # fmt: skip
    token = wire.sign(payload, unit_signing_key(signed_by or agency_id))
    record = Delivery(topic or topics.agency_decisions(agency_id), 0, 0, str(submission_id).encode(), token.encode())
    return decision_of(record)


def answer(event: IdentityVerified, request_id: UUID, text: str = "Der Mietvertrag liegt bei.") -> InformationProvided:
    """The citizen's answer as intake publishes it."""
    return InformationProvided(
        submission_id=event.submission_id,
        recipient=event.recipient,
        request_id=request_id,
        answer=INTAKE.seal(personal.INFORMATION_ANSWER, text, event.submission_id),
    )


async def test_routing_an_application_records_where_it_was_delivered() -> None:
    deliveries = FakeDeliveries()
    event = await delivered_application(router(deliveries))
    assert deliveries.delivered == {
        event.submission_id: Delivered(
            submission_id=event.submission_id,
            agency_id=GEWERBE,
            service_id=BUSINESS,
            received_at=event.received_at,
            recipient=event.recipient,
            citizen_id=event.citizen_id,
        )
    }


async def test_an_unroutable_application_is_not_recorded_as_delivered() -> None:
    deliveries = FakeDeliveries()
    applicant = Applicant.model_validate(
        ERIKA | {"address": {"street": "Markt 1", "postal_code": "24937", "city": "Flensburg"}}
    )
    event = sealing.verified(INTAKE, applicant, BUSINESS_REGISTRATION, BUSINESS)
    await route_submission(event, router(deliveries), FakePublisher())
    assert deliveries.delivered == {}


async def test_a_signed_decision_reaches_the_citizen_with_its_reason_sealed() -> None:
    deliveries, publisher = FakeDeliveries(), FakePublisher()
    routing = router(deliveries)
    event = await delivered_application(routing)
    accepted = decision(event.submission_id)
    await take_decision(accepted, routing, publisher)
    assert publisher.topics() == [topics.SUBMISSION_DECIDED]
    _, decided, key = publisher.published[0]
    assert isinstance(decided, SubmissionDecided) and key == str(event.submission_id)
    assert (decided.submission_id, decided.agency_id, decided.outcome) == (event.submission_id, GEWERBE, "accepted")
    assert decided.recipient == event.recipient and decided.decision_id == accepted.event_id
    assert ROUTING.open(personal.DECISION_REASON, decided.reason, event.submission_id) == REASON
    assert "Gewerbeanmeldung" not in decided.model_dump_json()  # the agency's words travel sealed
    found = deliveries.delivered[event.submission_id]
    assert found.decided_by == accepted.event_id and found.requests == ()


async def test_the_same_decision_sent_again_is_the_same_event_and_another_is_another() -> None:
    routing, publisher = router(), FakePublisher()
    event, other = await delivered_application(routing), await delivered_application(routing)
    decision_id = uuid4()
    for _ in range(2):
        await take_decision(decision(event.submission_id, decision_id=decision_id), routing, publisher)
    # An agency that reuses a decision id for another application makes another event.
    await take_decision(decision(other.submission_id, decision_id=decision_id), routing, publisher)
    first, again, elsewhere = (published.event_id for _, published, _ in publisher.published)  # type: ignore[union-attr]
    assert first == again != elsewhere


async def test_a_request_for_information_leaves_the_application_open() -> None:
    deliveries, publisher = FakeDeliveries(), FakePublisher()
    routing = router(deliveries)
    event = await delivered_application(routing)
    asked = decision(event.submission_id, outcome="information_requested", reason="Bitte den Mietvertrag senden.")
    await take_decision(asked, routing, publisher)
    await take_decision(asked, routing, publisher)  # a redelivery: recorded once
    found = deliveries.delivered[event.submission_id]
    assert found.requests == (asked.event_id,) and found.decided_by is None
    decided = publisher.published[0][1]
    assert isinstance(decided, SubmissionDecided) and decided.outcome == "information_requested"
    rejected = decision(event.submission_id, outcome="rejected", reason="Die Unterlagen fehlen.")
    await take_decision(rejected, routing, publisher)  # it may decide once it has asked
    assert deliveries.delivered[event.submission_id].decided_by == rejected.event_id


async def test_a_forged_decision_never_reaches_the_citizen() -> None:
    deliveries, publisher = FakeDeliveries(), FakePublisher()
    routing = router(deliveries)
    event = await delivered_application(routing)
    forged = decision(event.submission_id, signed_by=STANDESAMT)  # another agency's key, koeln-gewerbe's name
    with pytest.raises(PermanentFailure, match="not signed with a registered key"):
        await take_decision(forged, routing, publisher)
    header, _, signature = decision(event.submission_id, outcome="rejected").token.split(".")
    accepted = wire.decision_payload(
        decision_id=str(uuid4()), submission_id=str(event.submission_id), agency_id=GEWERBE, outcome="accepted",
        reason=REASON, decided_at=datetime.now(UTC),
    )  # fmt: skip
    altered = f"{header}.{wire.sign(accepted, unit_signing_key(GEWERBE)).split('.')[1]}.{signature}"
    record = Delivery(topics.agency_decisions(GEWERBE), 0, 0, None, altered.encode())
    with pytest.raises(PermanentFailure, match="not signed with a registered key"):
        await take_decision(decision_of(record), routing, publisher)  # a rejection's signature, an acceptance
    assert publisher.published == []
    assert deliveries.delivered[event.submission_id].decided_by is None


async def test_a_decision_counts_only_on_its_own_agencys_topic() -> None:
    routing, publisher = router(), FakePublisher()
    event = await delivered_application(routing)
    elsewhere = decision(event.submission_id, topic=topics.agency_decisions(STANDESAMT))
    with pytest.raises(PermanentFailure, match="another agency than the one whose topic"):
        await take_decision(elsewhere, routing, publisher)
    assert publisher.published == []


async def test_an_agency_cannot_decide_an_application_delivered_to_another() -> None:
    deliveries, publisher = FakeDeliveries(), FakePublisher()
    routing = router(deliveries)
    event = await delivered_application(routing)  # to koeln-gewerbe
    with pytest.raises(PermanentFailure, match="not delivered to this agency"):
        await take_decision(decision(event.submission_id, agency_id=STANDESAMT), routing, publisher)
    with pytest.raises(PermanentFailure, match="not delivered to this agency"):
        await take_decision(decision(uuid4()), routing, publisher)  # never delivered at all
    assert publisher.published == [] and deliveries.delivered[event.submission_id].decided_by is None


async def test_a_decided_application_takes_no_other_decision() -> None:
    deliveries, publisher = FakeDeliveries(), FakePublisher()
    routing = router(deliveries)
    event = await delivered_application(routing)
    accepted = decision(event.submission_id)
    await take_decision(accepted, routing, publisher)
    for outcome in ("rejected", "information_requested"):
        with pytest.raises(PermanentFailure, match="decided already"):
            await take_decision(decision(event.submission_id, outcome=outcome), routing, publisher)
    assert publisher.topics() == [topics.SUBMISSION_DECIDED]
    assert deliveries.delivered[event.submission_id].decided_by == accepted.event_id


async def test_an_agency_the_registry_does_not_know_decides_nothing() -> None:
    routing, publisher = router(), FakePublisher()
    event = await delivered_application(routing)
    unknown = decision(event.submission_id, agency_id="unbekannt-amt", signed_by=GEWERBE)
    with pytest.raises(PermanentFailure, match="not signed with a registered key"):
        await take_decision(unknown, routing, publisher)
    assert publisher.published == []


async def test_the_citizens_answer_goes_to_the_agency_encrypted_and_once() -> None:
    deliveries, publisher = FakeDeliveries(), FakePublisher()
    routing = router(deliveries)
    event = await delivered_application(routing)
    asked = decision(event.submission_id, outcome="information_requested", reason="Bitte den Mietvertrag senden.")
    await take_decision(asked, routing, FakePublisher())
    answered = answer(event, asked.event_id, "Der Mietvertrag liegt bei.\nMit freundlichen Grüßen")
    await forward_answer(answered, routing, publisher)
    await forward_answer(answered, routing, publisher)  # a redelivery: sent already
    assert publisher.topics() == [topics.agency_submissions(GEWERBE)]
    _, value, key = publisher.published[0]
    assert isinstance(value, bytes) and key == str(event.submission_id)
    assert b"Mietvertrag" not in value
    assert publisher.headers[0][wire.HEADER_MESSAGE_KIND] == wire.KIND_INFORMATION
    assert publisher.headers[0][wire.HEADER_AGENCY_ID] == GEWERBE
    opened = AgencyInformation.model_validate_json(wire.decrypt(value, [unit_key(GEWERBE)]))
    assert opened.answer == "Der Mietvertrag liegt bei.\nMit freundlichen Grüßen"
    assert (opened.event_id, opened.submission_id, opened.agency_id, opened.request_id) == (
        answered.event_id,
        event.submission_id,
        GEWERBE,
        asked.event_id,
    )
    with pytest.raises(wire.NotForThisAgency):
        wire.decrypt(value, [unit_key(STANDESAMT)])
    assert deliveries.delivered[event.submission_id].answered == (asked.event_id,)


async def test_an_answer_to_a_request_never_made_is_refused() -> None:
    routing, publisher = router(), FakePublisher()
    event = await delivered_application(routing)
    with pytest.raises(PermanentFailure, match="no such request"):
        await forward_answer(answer(event, uuid4()), routing, publisher)
    assert publisher.published == []


async def test_an_answer_after_the_agency_decided_is_not_sent() -> None:
    routing, publisher = router(), FakePublisher()
    event = await delivered_application(routing)
    asked = decision(event.submission_id, outcome="information_requested", reason="Bitte den Mietvertrag senden.")
    await take_decision(asked, routing, FakePublisher())
    await take_decision(decision(event.submission_id, outcome="rejected"), routing, FakePublisher())
    await forward_answer(answer(event, asked.event_id), routing, publisher)
    assert publisher.published == []


async def test_after_the_citizens_erasure_an_answer_finds_nothing_to_send_with() -> None:
    deliveries, publisher = FakeDeliveries(), FakePublisher()
    routing = router(deliveries)
    event = await delivered_application(routing)
    asked = decision(event.submission_id, outcome="information_requested", reason="Bitte den Mietvertrag senden.")
    await take_decision(asked, routing, FakePublisher())
    assert event.citizen_id is not None
    await forget_waiting(ErasureRequested(citizen_id=event.citizen_id), routing, publisher)
    assert deliveries.delivered == {}
    await forward_answer(answer(event, asked.event_id), routing, publisher)
    with pytest.raises(PermanentFailure, match="not delivered to this agency, or is erased"):
        await take_decision(decision(event.submission_id), routing, publisher)
    assert publisher.published == []


async def test_a_request_taken_before_the_final_decision_may_come_again() -> None:
    routing, publisher = router(), FakePublisher()
    event = await delivered_application(routing)
    asked = decision(event.submission_id, outcome="information_requested", reason="Bitte den Mietvertrag senden.")
    for each in (asked, decision(event.submission_id, outcome="rejected")):
        await take_decision(each, routing, publisher)
    await take_decision(asked, routing, publisher)  # routing crashed before it committed both: both come again
    # nothing new for the citizen: the request was told once, the rejection stands
    told = [event for _, event, _ in publisher.published if isinstance(event, SubmissionDecided)]
    assert [event.outcome for event in told] == ["information_requested", "rejected"]
    assert len(told) == len(publisher.published)
