"""Signing in on the page: OpenID Connect's authorization code flow with PKCE (RFC 7636) and a nonce, with one of
the configured providers, and what a verified ID token tells the page (who signed in, at which eIDAS level of
assurance, until when).

The ID token itself becomes the identity assertion of the application the citizen files next; identity verifies
it again, never trusting the page. One sign-in files one application (identity refuses a token's second use)."""

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass, field
from datetime import date, datetime

from civicflow.shared.events.identity import AssuranceLevel, LevelOfAssurance, meets

# A sign-in has this long to come back from the provider.
PENDING_SECONDS = 10 * 60


@dataclass(frozen=True)
class PendingSignIn:
    """What the page keeps between sending the citizen to the provider and their coming back."""

    state: str
    nonce: str
    verifier: str = field(repr=False)
    service_id: str
    language: str
    created_at: datetime
    # The provider's name (IDP_PROVIDERS); "" is the first one configured (sign-ins begun before there were several).
    provider: str = ""

    @property
    def challenge(self) -> str:
        digest = hashlib.sha256(self.verifier.encode("ascii")).digest()
        return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def new_pending(service_id: str, language: str, now: datetime, provider: str = "") -> PendingSignIn:
    return PendingSignIn(
        state=secrets.token_urlsafe(24),
        nonce=secrets.token_urlsafe(24),
        verifier=secrets.token_urlsafe(48),
        service_id=service_id,
        language=language,
        created_at=now,
        provider=provider,
    )


@dataclass(frozen=True)
class SignedIn:
    """A citizen signed in: their verified names and birth date, the level, the ID token (a bearer secret) and
    their pseudonymous citizen id."""

    given_name: str
    family_name: str
    birth_date: date
    level: LevelOfAssurance
    expires_at: datetime
    id_token: str = field(repr=False)
    # The pseudonymous id identity gives the same person (shared.security.pseudonyms): their profile's key.
    citizen_id: str = field(default="", repr=False)

    def __post_init__(self) -> None:
        if not self.citizen_id:
            raise ValueError("a signed-in citizen has a citizen id")


def enough(signed_in: SignedIn | None, minimum: AssuranceLevel) -> bool:
    return minimum == "none" or (signed_in is not None and meets(signed_in.level, minimum))


def session_id(token: str) -> str:
    """The key a session is kept under: a hash of the cookie's secret, so the store never holds the secret."""
    return hmac.new(b"civicflow-session", token.encode(), hashlib.sha256).hexdigest()
