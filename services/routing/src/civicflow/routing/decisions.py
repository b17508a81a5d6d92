"""After delivery: the agency's decision comes back to the citizen, and the citizen's answer to a request for
information goes on to the agency.

Routing keeps a record of each application it delivered (which agency, where to tell the citizen, whether it is
decided): a decision counts only if the agency's registered signing key made it, it came on that agency's own
topic, and that agency is the one the application was delivered to. Anything else is the decision's own fault and
ends as a dead letter with the reason; a forged decision never reaches the citizen. Once accepted or rejected, an
application is decided: a later decision with another id is refused (the same one sent again is the same event)."""

from uuid import UUID, uuid5

from civicflow_agency import wire
from opentelemetry import trace

from civicflow.routing.handlers import Publisher, Router
from civicflow.shared import topics
from civicflow.shared.events import (
    AgencyDecision,
    AgencyInformation,
    InformationProvided,
    SubmissionDecided,
    derive_event_id,
    personal,
)
from civicflow.shared.events.base import Step, utc_now
from civicflow.shared.messaging import PermanentFailure
from civicflow.shared.messaging.deliveries import Delivery


def decision_of(delivery: Delivery) -> AgencyDecision:
    """The subscription's reading of a decision record: what its JWS says, signature not yet checked."""
    return AgencyDecision.of_record(delivery.topic, delivery.value)


def decided_event_id(decision: AgencyDecision) -> UUID:
    """Per application and decision id: the same decision sent again is the same event; an id an agency reused for
    another application is another event."""
    return derive_event_id(uuid5(decision.submission_id, str(decision.event_id)), Step.DECIDED)


async def take_decision(decision: AgencyDecision, router: Router, publisher: Publisher) -> None:
    span = trace.get_current_span()
    span.set_attribute("civicflow.agency.id", decision.agency_id)
    span.set_attribute("civicflow.decision.outcome", decision.outcome)
    if decision.received_on != topics.agency_decisions(decision.agency_id):
        raise PermanentFailure("the decision names another agency than the one whose topic it came on")
    agency = router.registry().agency(decision.agency_id)
    try:
        wire.verify(decision.token, agency.signing_keys() if agency is not None else ())
    except wire.NotSignedByAgency as refused:
        raise PermanentFailure(f"the decision is not signed with a registered key of its agency ({refused})") from None
    delivered = await router.deliveries.find(decision.submission_id)
    if delivered is None or delivered.agency_id != decision.agency_id:
        raise PermanentFailure("the application was not delivered to this agency, or is erased")
    if decision.event_id in delivered.requests:  # a request taken before (published, then recorded): a redelivery
        return
    if delivered.decided_by not in (None, decision.event_id):
        raise PermanentFailure("the application is decided already")
    if delivered.decided_by is not None and decision.outcome == "information_requested":
        raise PermanentFailure("the application is decided already")
    decided = SubmissionDecided(
        event_id=decided_event_id(decision),
        submission_id=decision.submission_id,
        recipient=delivered.recipient,
        agency_id=decision.agency_id,
        agency_name=agency.name if agency is not None else None,
        outcome=decision.outcome,
        reason=router.sealer.seal(personal.DECISION_REASON, decision.reason, decision.submission_id),
        decision_id=decision.event_id,
    )
    # Published before recorded: a crash in between publishes the same event again, never none.
    await publisher.publish(topics.SUBMISSION_DECIDED, decided, key=str(decision.submission_id))
    if decision.outcome == "information_requested":
        await router.deliveries.ask(decision.submission_id, decision.event_id)
    else:
        await router.deliveries.decide(decision.submission_id, decision.event_id)


async def forward_answer(event: InformationProvided, router: Router, publisher: Publisher) -> None:
    """The citizen's answer, encrypted to the agency's key like an application, on the agency's submissions topic,
    then recorded as sent (in that order: a crash in between sends it again, and the agency kit de-duplicates by
    the answer's event id)."""
    span = trace.get_current_span()
    delivered = await router.deliveries.find(event.submission_id)
    if delivered is None:  # erased meanwhile: routing keeps nothing to send it with, and intake anonymised it
        span.set_attribute("civicflow.routing.delivery_found", False)
        return
    if event.request_id in delivered.answered or delivered.decided_by is not None:
        # Sent already (a redelivery), or the agency decided meanwhile and asks for nothing any more.
        span.set_attribute("civicflow.routing.answer_sent_before", True)
        return
    if event.request_id not in delivered.requests:
        raise PermanentFailure("the agency made no such request for information on this application")
    agency = router.registry().agency(delivered.agency_id)
    key = agency.encryption_key() if agency is not None else None
    if key is None:
        raise PermanentFailure("the agency has no encryption key any more")
    answer = AgencyInformation(
        event_id=event.event_id,
        submission_id=event.submission_id,
        agency_id=delivered.agency_id,
        request_id=event.request_id,
        answer=router.sealer.open(personal.INFORMATION_ANSWER, event.answer, event.submission_id),
        answered_at=event.occurred_at,
        sent_at=utc_now(),
    )
    headers = wire.clear_headers(
        submission_id=str(event.submission_id),
        service_id=delivered.service_id,
        agency_id=delivered.agency_id,
        received_at=delivered.received_at,
        sent_at=answer.sent_at,
    ) | {wire.HEADER_MESSAGE_KIND: wire.KIND_INFORMATION}
    token = wire.encrypt(answer.model_dump_json().encode(), key)
    topic = topics.agency_submissions(delivered.agency_id)
    await publisher.publish_bytes(topic, token.encode(), key=str(event.submission_id), headers=headers)
    await router.deliveries.answered(event.submission_id, event.request_id)
