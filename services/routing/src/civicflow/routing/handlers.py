"""Routing's use case: deliver a verified application to the agency responsible for it.

Routing opens the applicant's sealed data (it needs the postal code, and the agency needs all of it); the
status events it publishes carry none of it. The agency gets of the applicant what its service needs, the form,
the level of assurance, which details were verified, and a citizen id of its own (domain.pseudonym), never
identity's citizen id nor the identity token."""

from opentelemetry import trace

from civicflow.routing.domain.pseudonym import agency_citizen_id
from civicflow.routing.domain.registry import AgencyRegistry, PostalIndex
from civicflow.routing.domain.routing import Routed, route
from civicflow.shared import topics
from civicflow.shared.events import (
    AgencySubmission,
    IdentityVerified,
    Step,
    SubmissionRouted,
    SubmissionUnroutable,
    derive_event_id,
    personal,
)
from civicflow.shared.events.common import VERIFIED_ATTRIBUTES, disclose
from civicflow.shared.kafka import EventPublisher
from civicflow.shared.security.sealing import Sealer


async def route_submission(
    event: IdentityVerified,
    postal: PostalIndex,
    registry: AgencyRegistry,
    sealer: Sealer,
    pseudonym_key: bytes,
    publisher: EventPublisher,
) -> None:
    applicant = sealer.open(personal.APPLICANT, event.applicant, event.submission_id)
    decision = route(event.service_id, applicant.address, postal, registry)
    key = str(event.submission_id)
    span = trace.get_current_span()
    if isinstance(decision, Routed):
        span.set_attribute("civicflow.routing.agency_id", decision.agency.agency_id)
        delivery = AgencySubmission(
            event_id=derive_event_id(event.event_id, Step.DELIVERED),
            submission_id=event.submission_id,
            agency_id=decision.agency.agency_id,
            municipality_key=decision.municipality_key,
            service_id=event.service_id,
            # In clear on the agency's topic, which only that agency may read (README, "Security"), and only
            # what its service needs.
            applicant=disclose(applicant, event.agency_needs),
            form=sealer.open(personal.FORM, event.form, event.submission_id),
            attachments=event.attachments,
            level_of_assurance=event.level_of_assurance,
            verified_attributes=tuple(
                attribute
                for attribute in VERIFIED_ATTRIBUTES
                if event.citizen_id is not None and attribute in event.agency_needs
            ),
            citizen_id=agency_citizen_id(pseudonym_key, decision.agency.agency_id, event.citizen_id),
            received_at=event.received_at,
        )
        await publisher.publish(topics.agency_submissions(decision.agency.agency_id), delivery, key=key)
        routed = SubmissionRouted(
            event_id=derive_event_id(event.event_id, SubmissionRouted.step),
            submission_id=event.submission_id,
            recipient=event.recipient,
            agency_id=decision.agency.agency_id,
            municipality_key=decision.municipality_key,
        )
        await publisher.publish(topics.SUBMISSION_ROUTED, routed, key=key)
    else:
        span.set_attribute("civicflow.routing.unroutable_reason", decision.reason)
        unroutable = SubmissionUnroutable(
            event_id=derive_event_id(event.event_id, SubmissionUnroutable.step),
            submission_id=event.submission_id,
            recipient=event.recipient,
            reason=decision.reason,
            municipality_key=decision.municipality_key,
        )
        await publisher.publish(topics.SUBMISSION_UNROUTABLE, unroutable, key=key)
