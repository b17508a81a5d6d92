"""Identity's use cases: verify the applicant of a received submission, pass it on or reject it; keep the
citizen's once-only profile when they allowed it, change its contact preferences, erase it.

The token is verified by the provider whose issuer it claims (its keys, algorithms, claim names and `acr` values);
an issuer no provider is configured with is refused. The identity token is opened here and nowhere else; the
applicant's sealed data travels on as intake sealed it, with the level of assurance and a pseudonymous citizen id
beside it. A value that does not open (Unsealable) comes from the message: it is raised, and the message is
dead-lettered (messaging.failures); a store that fails is retried."""

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal, Protocol
from uuid import UUID

import jwt
from opentelemetry import trace

from civicflow.identity.domain.assertion import Rejected, Verified, claimed_issuer, signing_key_id, verify_assertion
from civicflow.identity.domain.profile import profile_of, saved_event_id, with_contact
from civicflow.identity.domain.replay import TokenUse, can_tell_replays, use_of
from civicflow.shared import topics
from civicflow.shared.events import (
    ContactPreferencesChanged,
    ErasureRequested,
    IdentityRejected,
    IdentityVerified,
    Profile,
    ProfileSaved,
    SubmissionReceived,
    derive_event_id,
    personal,
)
from civicflow.shared.events.identity import meets
from civicflow.shared.events.personal import of_citizen
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


class Profiles(Protocol):
    async def save(self, citizen_id: str, profile: Profile, at: datetime) -> bool:
        """Keep this version, given at `at`, unless a newer one is kept or the citizen erased their profile at or
        after `at`; whether it is the version kept now. The same version saved again is kept again."""

    async def get(self, citizen_id: str) -> Profile | None: ...

    async def erase(self, citizen_id: str, at: datetime) -> None:
        """Forget the profile as it was at `at`, and that it was erased then."""


@dataclass(frozen=True)
class Trusted:
    """A configured provider and its signing keys (one JWKS cache per provider)."""

    provider: IdentityProvider
    keys: SigningKeys


@dataclass(frozen=True)
class Verifier:
    providers: tuple[Trusted, ...]
    # Opens the identity token and the applicant, seals and opens profiles (the keys identity holds).
    sealer: Sealer
    pseudonym_key: bytes
    uses: TokenUses
    # Where the verified citizen's profile is kept when they allow it.
    profiles: Profiles

    def trusted(self, issuer: str) -> Trusted | None:
        return next((trusted for trusted in self.providers if trusted.provider.issuer == issuer), None)

    def provider_of(self, verified: Verified) -> IdentityProvider:
        return next(trusted.provider for trusted in self.providers if trusted.provider.issuer == verified.issuer)

    def citizen_id(self, verified: Verified) -> str:
        return citizen_id(self.pseudonym_key, verified.issuer, verified.subject)


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
            agency_needs=event.agency_needs,
            level_of_assurance=outcome.level_of_assurance,
            citizen_id=verifier.citizen_id(outcome) if isinstance(outcome, Verified) else None,
            received_at=event.occurred_at,
            **common,
        )
        await publisher.publish(topics.IDENTITY_VERIFIED, verified, key=str(event.submission_id))
        if isinstance(outcome, Verified) and event.keep_profile:
            await _keep_profile(event, outcome, verifier, publisher)
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


async def _keep_profile(
    event: SubmissionReceived, verified: Verified, verifier: Verifier, publisher: EventPublisher
) -> None:
    """The citizen allowed it (SubmissionReceived.keep_profile): keep what was verified, and the address and the
    contact preferences of this submission, as their profile (with the channel they chose on the profile page)."""
    applicant = verifier.sealer.open(personal.APPLICANT, event.applicant, event.submission_id)
    provider = verifier.provider_of(verified)
    citizen_id = verifier.citizen_id(verified)
    kept = await verifier.profiles.get(citizen_id)
    chosen = None if kept is None else kept.contact.channel_choice()
    profile = profile_of(verified, provider, applicant, event.recipient, event.occurred_at, datetime.now(UTC), chosen)
    trace.get_current_span().set_attribute("civicflow.identity.profile_kept", profile is not None)
    if profile is not None:
        await _save(citizen_id, profile, event.occurred_at, event.event_id, verifier, publisher)


async def change_contact(event: ContactPreferencesChanged, verifier: Verifier, publisher: EventPublisher) -> None:
    """The citizen set new contact preferences on the page: a new version of the profile they have, if any."""
    contact = verifier.sealer.open(personal.CONTACT_PREFERENCES, event.contact, of_citizen(event.citizen_id))
    kept = await verifier.profiles.get(event.citizen_id)
    trace.get_current_span().set_attribute("civicflow.identity.profile_found", kept is not None)
    if kept is not None:  # erased, or never kept: nothing to change
        changed = with_contact(kept, contact, event.occurred_at)
        await _save(event.citizen_id, changed, event.occurred_at, event.event_id, verifier, publisher)


async def erase_profile(event: ErasureRequested, verifier: Verifier) -> None:
    await verifier.profiles.erase(event.citizen_id, event.occurred_at)


async def _save(
    citizen_id: str, profile: Profile, at: datetime, cause: UUID, verifier: Verifier, publisher: EventPublisher
) -> None:
    """Keep this version and tell intake, unless a newer one is kept or the profile was erased since `at`."""
    if not await verifier.profiles.save(citizen_id, profile, at):
        return
    saved = ProfileSaved(
        event_id=saved_event_id(cause),
        citizen_id=citizen_id,
        # When this version was given: an older one that comes late is known to be older.
        occurred_at=at,
        profile=verifier.sealer.seal(personal.PROFILE, profile, of_citizen(citizen_id)),
    )
    await publisher.publish(topics.PROFILE_SAVED, saved, key=citizen_id)
