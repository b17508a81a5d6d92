"""Routing's use case: deliver a verified application to the agency responsible for it."""

from opentelemetry import trace

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
)
from civicflow.shared.kafka import EventPublisher


async def route_submission(
    event: IdentityVerified,
    postal: PostalIndex,
    registry: AgencyRegistry,
    publisher: EventPublisher,
) -> None:
    decision = route(event.service_id, event.applicant.address, postal, registry)
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
            applicant=event.applicant,
            form=event.form,
            level_of_assurance=event.level_of_assurance,
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
