"""Identity's use case: verify the applicant of a received submission, pass it on or reject it."""

from typing import Protocol

import jwt
from opentelemetry import trace

from civicflow.identity.domain.assertion import Expectations, Verified, signing_key_id, verify_assertion
from civicflow.shared import topics
from civicflow.shared.events import IdentityRejected, IdentityVerified, SubmissionReceived, derive_event_id
from civicflow.shared.kafka import EventPublisher


class SigningKeys(Protocol):
    async def key(self, kid: str | None) -> jwt.PyJWK | None: ...


async def verify_submission(
    event: SubmissionReceived, keys: SigningKeys, expected: Expectations, publisher: EventPublisher
) -> None:
    key = await keys.key(signing_key_id(event.identity_token))
    outcome = verify_assertion(event.identity_token, key, expected, event.applicant, event.occurred_at)
    span = trace.get_current_span()
    common = {"submission_id": event.submission_id, "recipient": event.recipient}
    if isinstance(outcome, Verified):
        span.set_attribute("civicflow.identity.outcome", "verified")
        verified = IdentityVerified(
            event_id=derive_event_id(event.event_id, IdentityVerified.step),
            service_id=event.service_id,
            applicant=event.applicant,
            form=event.form,
            level_of_assurance=outcome.level_of_assurance,
            received_at=event.occurred_at,
            **common,
        )
        await publisher.publish(topics.IDENTITY_VERIFIED, verified, key=str(event.submission_id))
    else:
        span.set_attribute("civicflow.identity.outcome", "rejected")
        span.set_attribute("civicflow.identity.reason", outcome.reason)
        rejected = IdentityRejected(
            event_id=derive_event_id(event.event_id, IdentityRejected.step), reason=outcome.reason, **common
        )
        await publisher.publish(topics.IDENTITY_REJECTED, rejected, key=str(event.submission_id))
