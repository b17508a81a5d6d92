"""Identity's use case: verify the applicant of a received submission, pass it on or reject it.

The identity token is opened here and nowhere else; the applicant's sealed data travels on as intake sealed it,
with the level of assurance and a pseudonymous citizen id beside it."""

from dataclasses import dataclass
from typing import Protocol

import jwt
from opentelemetry import trace

from civicflow.identity.domain.assertion import Expectations, Verified, signing_key_id, verify_assertion
from civicflow.identity.domain.pseudonym import citizen_id
from civicflow.shared import topics
from civicflow.shared.events import IdentityRejected, IdentityVerified, SubmissionReceived, derive_event_id, personal
from civicflow.shared.kafka import EventPublisher
from civicflow.shared.security.sealing import Sealer


class SigningKeys(Protocol):
    async def key(self, kid: str | None) -> jwt.PyJWK | None: ...


@dataclass(frozen=True)
class Verifier:
    keys: SigningKeys
    expected: Expectations
    # Opens the identity token and the applicant (the keys identity holds).
    sealer: Sealer
    pseudonym_key: bytes


async def verify_submission(event: SubmissionReceived, verifier: Verifier, publisher: EventPublisher) -> None:
    token = verifier.sealer.open(personal.IDENTITY_TOKEN, event.identity_token, event.submission_id)
    applicant = verifier.sealer.open(personal.APPLICANT, event.applicant, event.submission_id)
    key = await verifier.keys.key(signing_key_id(token))
    outcome = verify_assertion(token, key, verifier.expected, applicant, event.occurred_at)
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
            citizen_id=citizen_id(verifier.pseudonym_key, verifier.expected.issuer, outcome.subject),
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
