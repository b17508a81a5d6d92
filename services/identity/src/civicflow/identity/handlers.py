"""Identity's use case: verify the applicant of a received submission, pass it on or reject it.

The token is verified by the provider whose issuer it claims (its keys, algorithms, claim names and `acr` values);
an issuer no provider is configured with is refused. The identity token is opened here and nowhere else; the
applicant's sealed data travels on as intake sealed it, with the level of assurance and a pseudonymous citizen id
beside it."""

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal, Protocol
from uuid import UUID

import jwt
from opentelemetry import trace

from civicflow.identity.domain.assertion import Rejected, Verified, claimed_issuer, signing_key_id, verify_assertion
from civicflow.identity.domain.replay import TokenUse, can_tell_replays, use_of
from civicflow.shared import topics
from civicflow.shared.events import IdentityRejected, IdentityVerified, SubmissionReceived, derive_event_id, personal
from civicflow.shared.events.identity import meets
from civicflow.shared.identity_providers import IdentityProvider
from civicflow.shared.kafka import EventPublisher
from civicflow.shared.security.pseudonyms import citizen_id
from civicflow.shared.security.sealing import Sealer


class SigningKeys(Protocol):
    async def key(self, kid: str | None) -> jwt.PyJWK | None: ...


class TokenUses(Protocol):
    async def claim(self, use: TokenUse) -> UUID:
        """Record this use of the token unless one is recorded; returns the submission the token filed (this
        use's own when it is the first). A store failure raises: it is no answer."""


@dataclass(frozen=True)
class Trusted:
    """A configured provider and its signing keys (one JWKS cache per provider)."""

    provider: IdentityProvider
    keys: SigningKeys


@dataclass(frozen=True)
class Verifier:
    providers: tuple[Trusted, ...]
    # Opens the identity token and the applicant (the keys identity holds).
    sealer: Sealer
    pseudonym_key: bytes
    uses: TokenUses

    def trusted(self, issuer: str) -> Trusted | None:
        return next((trusted for trusted in self.providers if trusted.provider.issuer == issuer), None)


async def verify_submission(event: SubmissionReceived, verifier: Verifier, publisher: EventPublisher) -> None:
    outcome = await _identify(event, verifier)
    span = trace.get_current_span()
    common = {"submission_id": event.submission_id, "recipient": event.recipient}
    if isinstance(outcome, Verified | Unidentified):
        span.set_attribute("civicflow.identity.outcome", "verified")
        span.set_attribute("civicflow.identity.level", outcome.level_of_assurance)
        verified = IdentityVerified(
            event_id=derive_event_id(event.event_id, IdentityVerified.step),
            service_id=event.service_id,
            applicant=event.applicant,
            form=event.form,
            attachments=event.attachments,
            level_of_assurance=outcome.level_of_assurance,
            citizen_id=(
                citizen_id(verifier.pseudonym_key, outcome.issuer, outcome.subject)
                if isinstance(outcome, Verified)
                else None
            ),
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


@dataclass(frozen=True)
class Unidentified:
    """Filed without an identity assertion, for a service that needs none."""

    level_of_assurance: Literal["none"] = "none"


async def _identify(event: SubmissionReceived, verifier: Verifier) -> Verified | Unidentified | Rejected:
    minimum = event.minimum_level_of_assurance
    if event.identity_token is None:
        return Unidentified() if minimum == "none" else Rejected("identity_missing")
    token = verifier.sealer.open(personal.IDENTITY_TOKEN, event.identity_token, event.submission_id)
    applicant = verifier.sealer.open(personal.APPLICANT, event.applicant, event.submission_id)
    issuer = claimed_issuer(token)
    trusted = verifier.trusted(issuer) if isinstance(issuer, str) else None
    if trusted is None:
        return issuer if isinstance(issuer, Rejected) else Rejected("issuer_mismatch")
    key = await trusted.keys.key(signing_key_id(token))
    outcome = verify_assertion(token, key, trusted.provider, applicant, event.occurred_at)
    if isinstance(outcome, Verified) and not meets(outcome.level_of_assurance, minimum):
        return Rejected("level_of_assurance_insufficient")
    if isinstance(outcome, Verified):
        return await _first_use(outcome, event.submission_id, verifier)
    return outcome


async def _first_use(verified: Verified, submission_id: UUID, verifier: Verifier) -> Verified | Rejected:
    use = use_of(verified.issuer, verified.token_id, verified.expires_at, submission_id)
    if not can_tell_replays(use, datetime.now(UTC)):
        return Rejected("token_expired")
    first = await verifier.uses.claim(use)
    return verified if first == submission_id else Rejected("token_replayed")
