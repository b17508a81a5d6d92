"""Routing's use cases: deliver a verified application to the agency responsible for it; when its address does not
say which municipality it is in, keep it waiting and ask the citizen, then deliver it where they say; forget the
waiting applications of a citizen who erased their profile.

Routing opens the applicant's sealed data (it needs the postal code, and the agency needs all of it); the
status events it publishes carry none of it. The agency gets of the applicant what its service needs, the form,
the level of assurance, which details were verified, and a citizen id of its own (domain.pseudonym), never
identity's citizen id nor the identity token, all of it encrypted to the agency's key (an agency without one is
sent nothing). An application delivered after the citizen's answer is published
exactly as one routed at once, with the same event ids (derived from the IdentityVerified event), so a
redelivery of either produces the same events."""

import asyncio
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol
from uuid import UUID

from civicflow_agency import wire
from opentelemetry import trace

from civicflow.routing.domain.pseudonym import agency_citizen_id
from civicflow.routing.domain.registry import AgencyRegistry, PostalIndex
from civicflow.routing.domain.routing import NeedsClarification, Routed, Unroutable, route, route_in
from civicflow.shared import topics
from civicflow.shared.events import (
    AgencySubmission,
    Applicant,
    ClarificationProvided,
    ErasureRequested,
    IdentityVerified,
    MunicipalityChoice,
    Recipient,
    Step,
    SubmissionNeedsClarification,
    SubmissionRouted,
    SubmissionUnroutable,
    derive_event_id,
    personal,
)
from civicflow.shared.events.common import VERIFIED_ATTRIBUTES, disclose
from civicflow.shared.kafka import EventPublisher, RecordPublisher
from civicflow.shared.messaging import PermanentFailure
from civicflow.shared.security.sealing import Sealer

# How long an application waits for the citizen's answer (they are asked on the status page and by mail).
CLARIFICATION_DAYS = 30


Decision = Routed | Unroutable | NeedsClarification


@dataclass(frozen=True)
class Waiting:
    """An application waiting for the citizen's answer: the event as it came, and the municipality keys offered."""

    event: IdentityVerified
    choices: tuple[str, ...]


class WaitingApplications(Protocol):
    async def keep(self, event: IdentityVerified, choices: tuple[str, ...]) -> None:
        """Keep the application until the citizen answers; kept already (a redelivery), it stays as it is."""

    async def find(self, submission_id: UUID) -> Waiting | None: ...

    async def release(self, submission_id: UUID) -> None:
        """Forget it (delivered); forgotten already, nothing happens."""

    async def of_citizen(self, citizen_id: str) -> list[Waiting]:
        """Every application of this citizen that waits."""

    async def older_than(self, cutoff: datetime, limit: int) -> list[Waiting]:
        """Applications waiting since before `cutoff`, oldest first, at most `limit`."""

    async def remember_erasure(self, citizen_id: str, at: datetime) -> None:
        """That this citizen erased their data at `at` (the latest erasure counts)."""

    async def erased_since(self, citizen_id: str, at: datetime) -> bool:
        """Whether this citizen erased their data at or after `at`."""


@dataclass(frozen=True)
class Delivered:
    """An application routing delivered, kept while its agency may answer it (decisions)."""

    submission_id: UUID
    agency_id: str
    service_id: str
    received_at: datetime
    recipient: Recipient
    citizen_id: str | None
    # The final decision (accepted or rejected); None while the agency has not decided: in flight.
    decided_by: UUID | None = None
    # The agency's requests for information (their decision ids), and those the citizen's answer went out for.
    requests: tuple[UUID, ...] = ()
    answered: tuple[UUID, ...] = ()


class Deliveries(Protocol):
    async def record(self, delivered: Sequence[Delivered]) -> None:
        """Keep them, in one round trip; one recorded already (a redelivery) stays as it is."""

    async def find(self, submission_id: UUID) -> Delivered | None: ...

    async def decide(self, submission_id: UUID, decision_id: UUID) -> None:
        """Accepted or rejected by this decision: no longer in flight."""

    async def ask(self, submission_id: UUID, decision_id: UUID) -> None:
        """The agency asks the citizen for information (this decision)."""

    async def answered(self, submission_id: UUID, request_id: UUID) -> None:
        """The citizen's answer to this request went to the agency."""

    async def forget_citizen(self, citizen_id: str) -> int:
        """Forget every delivery of this citizen (their erasure); how many."""


class Publisher(EventPublisher, RecordPublisher, Protocol):
    """Routing publishes its events, and each application as a record encrypted for its agency."""


# The agency registry as it stands now: it may change while routing runs (a new version published), and each
# application is routed with the version current when it is handled.
CurrentRegistry = Callable[[], AgencyRegistry]


@dataclass(frozen=True)
class Router:
    postal: PostalIndex
    registry: CurrentRegistry
    sealer: Sealer
    pseudonym_key: bytes
    waiting: WaitingApplications
    deliveries: Deliveries


async def route_submission(event: IdentityVerified, router: Router, publisher: Publisher) -> None:
    await route_submissions([event], router, publisher)


async def route_submissions(events: Sequence[IdentityVerified], router: Router, publisher: Publisher) -> None:
    """Each application routed by the registry as it stands; the delivery records of the whole batch written in one
    round trip before any of them is sent (the agency may decide as soon as it has one)."""
    registry = router.registry()
    planned: list[tuple[IdentityVerified, Applicant, Decision]] = []
    for event in events:
        applicant = router.sealer.open(personal.APPLICANT, event.applicant, event.submission_id)
        planned.append((event, applicant, route(event.service_id, applicant.address, router.postal, registry)))
    await router.deliveries.record(
        [_delivered(event, decision) for event, _, decision in planned if isinstance(decision, Routed)]
    )

    async def go_on(event: IdentityVerified, applicant: Applicant, decision: Decision) -> None:
        if isinstance(decision, NeedsClarification):
            await _ask_citizen(event, decision, router, publisher)
        else:
            await _publish(event, applicant, decision, router, publisher, recorded=True)

    # Side by side, as the subscription handles single events: each waits for its broker acknowledgements, and one
    # after the other the batch would take a round trip per application.
    await asyncio.gather(*(go_on(*each) for each in planned))


async def clarify(event: ClarificationProvided, router: Router, publisher: Publisher) -> None:
    """The citizen chose a municipality: deliver the waiting application there, then forget it (in that order, so
    a crash in between delivers it again with the same event ids, never not at all)."""
    span = trace.get_current_span()
    waiting = await router.waiting.find(event.submission_id)
    span.set_attribute("civicflow.routing.waiting_found", waiting is not None)
    if waiting is None:  # delivered already (this answer comes again, or a second one), or erased
        return
    if event.municipality_key not in waiting.choices:
        # The message's fault, now and later: dead-lettered (messaging.failures), the application waits on.
        raise PermanentFailure("the municipality chosen is not one the citizen was offered")
    original = waiting.event
    applicant = router.sealer.open(personal.APPLICANT, original.applicant, original.submission_id)
    decision = route_in(original.service_id, event.municipality_key, router.registry())
    await _publish(original, applicant, decision, router, publisher)
    await router.waiting.release(original.submission_id)


async def forget_waiting(event: ErasureRequested, router: Router, publisher: Publisher) -> None:
    """The citizen erased their profile: routing keeps nothing of them, so each of their waiting applications ends
    as undeliverable (their timeline and a last mail say why), then is forgotten; an answer that comes later finds
    nothing."""
    # Remembered first: an application of theirs filed before the erasure that comes to wait only now finds it.
    await router.waiting.remember_erasure(event.citizen_id, event.occurred_at)
    found = await router.waiting.of_citizen(event.citizen_id)
    span = trace.get_current_span()
    span.set_attribute("civicflow.routing.waiting_forgotten", len(found))
    # Delivered ones are the agency's now; routing forgets where to tell the citizen of its decision.
    forgotten = await router.deliveries.forget_citizen(event.citizen_id)
    span.set_attribute("civicflow.routing.deliveries_forgotten", forgotten)
    for waiting in found:
        await _give_up(waiting, Unroutable("erased_while_waiting"), router, publisher)


async def give_up_unanswered(now: datetime, router: Router, publisher: Publisher) -> int:
    """Applications whose citizen did not answer within CLARIFICATION_DAYS end as undeliverable (the citizen is
    told, and may apply again), so no application waits, with its sealed personal data, for ever. How many ended."""
    cutoff = now - timedelta(days=CLARIFICATION_DAYS)
    found = await router.waiting.older_than(cutoff, limit=100)
    for waiting in found:
        await _give_up(waiting, Unroutable("clarification_not_given"), router, publisher)
    return len(found)


async def _give_up(waiting: Waiting, decision: Unroutable, router: Router, publisher: Publisher) -> None:
    """Published before forgotten: a crash in between publishes the same event again, never none."""
    original = waiting.event
    await _publish(original, None, decision, router, publisher)
    await router.waiting.release(original.submission_id)


async def _ask_citizen(
    event: IdentityVerified, decision: NeedsClarification, router: Router, publisher: Publisher
) -> None:
    trace.get_current_span().set_attribute("civicflow.routing.clarification_reason", decision.reason)
    # Kept before it is announced: the citizen may answer as soon as they are asked.
    await router.waiting.keep(event, tuple(municipality.key for municipality in decision.choices))
    if event.citizen_id is not None and await router.waiting.erased_since(event.citizen_id, event.received_at):
        # Filed before its citizen erased their data, and only now come to wait (looked for after keeping it, as
        # the erasure is remembered before its waiting applications are looked for: one of the two sees the other).
        await _give_up(Waiting(event, ()), Unroutable("erased_while_waiting"), router, publisher)
        return
    asked = SubmissionNeedsClarification(
        event_id=derive_event_id(event.event_id, Step.CLARIFICATION_NEEDED),
        submission_id=event.submission_id,
        recipient=event.recipient,
        reason=decision.reason,
        choices=tuple(MunicipalityChoice(municipality_key=m.key, name=m.name) for m in decision.choices),
    )
    await publisher.publish(topics.CLARIFICATION_NEEDED, asked, key=str(event.submission_id))


async def _publish(
    event: IdentityVerified,
    applicant: Applicant | None,
    decision: Routed | Unroutable,
    router: Router,
    publisher: Publisher,
    recorded: bool = False,
) -> None:
    key = str(event.submission_id)
    span = trace.get_current_span()
    if isinstance(decision, Unroutable):
        span.set_attribute("civicflow.routing.unroutable_reason", decision.reason)
        unroutable = SubmissionUnroutable(
            event_id=derive_event_id(event.event_id, SubmissionUnroutable.step),
            submission_id=event.submission_id,
            recipient=event.recipient,
            reason=decision.reason,
            municipality_key=decision.municipality_key,
        )
        await publisher.publish(topics.SUBMISSION_UNROUTABLE, unroutable, key=key)
        return
    span.set_attribute("civicflow.routing.agency_id", decision.agency.agency_id)
    if applicant is None:
        applicant = router.sealer.open(personal.APPLICANT, event.applicant, event.submission_id)
    if not recorded:
        # Before it is sent: the agency may decide as soon as it has it. A crash after this sends it on the
        # redelivery, and the record stays as it was.
        await router.deliveries.record([_delivered(event, decision)])
    await _send(_delivery(event, applicant, decision, router), decision, publisher)
    routed = SubmissionRouted(
        event_id=derive_event_id(event.event_id, SubmissionRouted.step),
        submission_id=event.submission_id,
        recipient=event.recipient,
        agency_id=decision.agency.agency_id,
        municipality_key=decision.municipality_key,
        agency_name=decision.agency.name,
    )
    await publisher.publish(topics.SUBMISSION_ROUTED, routed, key=key)


async def _send(delivery: AgencySubmission, decision: Routed, publisher: Publisher) -> None:
    """The application as its agency's key alone opens it (civicflow_agency.wire): never in clear on Kafka, and
    what stays in clear, the headers, is routing metadata. A redelivery encrypts again (another ciphertext), with
    the same event id inside."""
    span = trace.get_current_span()
    span.set_attribute("civicflow.routing.agency_key_id", decision.key.kid or "")
    token = wire.encrypt(delivery.model_dump_json().encode(), decision.key)
    headers = wire.clear_headers(
        submission_id=str(delivery.submission_id),
        service_id=delivery.service_id,
        agency_id=delivery.agency_id,
        received_at=delivery.received_at,
        sent_at=delivery.occurred_at,
    )
    topic = topics.agency_submissions(delivery.agency_id)
    await publisher.publish_bytes(topic, token.encode(), key=str(delivery.submission_id), headers=headers)


def _delivery(event: IdentityVerified, applicant: Applicant, decision: Routed, router: Router) -> AgencySubmission:
    return AgencySubmission(
        event_id=derive_event_id(event.event_id, Step.DELIVERED),
        submission_id=event.submission_id,
        agency_id=decision.agency.agency_id,
        municipality_key=decision.municipality_key,
        service_id=event.service_id,
        # Encrypted to the agency's key (_send), and only what its service needs.
        applicant=disclose(applicant, event.agency_needs),
        form=router.sealer.open(personal.FORM, event.form, event.submission_id),
        attachments=event.attachments,
        level_of_assurance=event.level_of_assurance,
        verified_attributes=tuple(
            attribute
            for attribute in VERIFIED_ATTRIBUTES
            if event.citizen_id is not None and attribute in event.agency_needs
        ),
        citizen_id=agency_citizen_id(router.pseudonym_key, decision.agency.agency_id, event.citizen_id),
        received_at=event.received_at,
    )


def _delivered(event: IdentityVerified, decision: Routed) -> Delivered:
    return Delivered(
        submission_id=event.submission_id,
        agency_id=decision.agency.agency_id,
        service_id=event.service_id,
        received_at=event.received_at,
        recipient=event.recipient,
        citizen_id=event.citizen_id,
    )
