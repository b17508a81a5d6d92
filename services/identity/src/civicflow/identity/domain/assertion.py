"""Checking a signed identity assertion (a JWT from the identity provider) against the applicant.

The token is checked against what its provider is configured with (civicflow.shared.identity_providers): the
level of assurance comes in the `acr` claim, by default as an eIDAS LoA URI (Commission Implementing Regulation
(EU) 2015/1502), names and the birth date in the OpenID Connect standard claims unless the provider names others.

The token must have been valid when the citizen submitted it, not when it is checked: the check gives the
same answer whenever it runs (a redelivery, a retry an hour later after the provider was down), and a token
that expires while the application waits in a queue is not held against the citizen.
"""

import math
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import jwt

from civicflow.identity.domain.matching import same_name
from civicflow.shared.events import Applicant
from civicflow.shared.events.identity import LevelOfAssurance, RejectionReason
from civicflow.shared.identity_providers import MAX_TOKEN_LIFETIME_SECONDS, IdentityProvider

CLOCK_SKEW_SECONDS = 30
# Unless the provider is configured with another (IdentityProvider.max_token_lifetime_seconds).
MAX_LIFETIME_SECONDS = MAX_TOKEN_LIFETIME_SECONDS


@dataclass(frozen=True)
class Verified:
    level_of_assurance: LevelOfAssurance
    # Who the identity provider says this is (the `sub` claim), for the pseudonymous citizen id only.
    subject: str
    # The token's `jti` and `exp`: it may file one submission (domain.replay), remembered past its expiry.
    token_id: str
    expires_at: datetime
    # The provider that vouched for it: with `sub`, whom the pseudonym and the token's use are keyed on.
    issuer: str
    # The person as the provider asserted them (its claim names), which the applicant was matched against: what
    # the once-only profile keeps as verified (domain.profile).
    given_name: str
    family_name: str
    birth_date: date


@dataclass(frozen=True)
class Rejected:
    reason: RejectionReason


def signing_key_id(token: str) -> str | None:
    """The `kid` the token claims to be signed with, or None when the token cannot be read at all."""
    try:
        kid = jwt.get_unverified_header(token).get("kid")
    except jwt.InvalidTokenError:
        return None
    return kid if isinstance(kid, str) else None


def claimed_issuer(token: str) -> str | Rejected:
    """The `iss` the token claims, unverified: only to choose whose keys and rules it is then verified by."""
    try:
        claims = jwt.decode(token, options={"verify_signature": False})
    except Exception:  # noqa: BLE001 - PyJWT and cryptography raise more than they document for crafted input
        return Rejected("token_malformed")
    issuer = claims.get("iss")
    return issuer if isinstance(issuer, str) else Rejected("claims_missing")


def verify_assertion(
    token: str, key: jwt.PyJWK | None, expected: IdentityProvider, applicant: Applicant, submitted_at: datetime
) -> Verified | Rejected:
    """Never raises: whatever a token holds, it is verified or rejected with a reason."""
    try:
        return _verify(token, key, expected, applicant, submitted_at)
    except Exception:  # noqa: BLE001 - PyJWT and cryptography raise more than they document for crafted input
        return Rejected("token_malformed")


def _verify(
    token: str, key: jwt.PyJWK | None, expected: IdentityProvider, applicant: Applicant, submitted_at: datetime
) -> Verified | Rejected:
    if key is None:
        return Rejected("signature_invalid" if signing_key_id(token) else "token_malformed")
    # Only the algorithm of the provider's key, never one the token's header asks for (algorithm confusion,
    # RFC 8725 §3.1).
    if key.algorithm_name not in expected.algorithms:
        return Rejected("signature_invalid")
    try:
        claims = jwt.decode(
            token,
            key.key,
            algorithms=[key.algorithm_name],
            issuer=expected.issuer,
            audience=expected.audience,
            options={
                "require": ["exp", "iat", "iss", "aud", "sub", "jti"],
                "verify_exp": False,
                "verify_iat": False,
                "verify_nbf": False,
            },
        )
    except jwt.InvalidTokenError as error:
        return Rejected(_reason(error))
    lifetime = expected.max_token_lifetime_seconds
    return _check_validity(claims, submitted_at, lifetime) or _match_applicant(claims, expected, applicant)


def _check_validity(claims: dict[str, Any], submitted_at: datetime, max_lifetime: int) -> Rejected | None:
    moment = submitted_at.timestamp()
    times = [_finite_number(claims.get(name, claims.get("iat"))) for name in ("exp", "iat", "nbf")]
    if None in times:
        return Rejected("token_malformed")
    expires, issued, not_before = (value or 0.0 for value in times)
    if moment > expires + CLOCK_SKEW_SECONDS:
        return Rejected("token_expired")
    if moment < not_before - CLOCK_SKEW_SECONDS or moment < issued - CLOCK_SKEW_SECONDS:
        return Rejected("token_not_yet_valid")
    if expires - issued > max_lifetime:
        return Rejected("token_lifetime_too_long")
    return None


def _finite_number(value: Any) -> float | None:
    # JSON as Python reads it also has true/false and NaN/Infinity, which compare as no time ever could.
    if isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value):
        return float(value)
    return None


def _reason(error: jwt.InvalidTokenError) -> RejectionReason:
    reasons: list[tuple[type[jwt.InvalidTokenError], RejectionReason]] = [
        (jwt.ExpiredSignatureError, "token_expired"),
        (jwt.ImmatureSignatureError, "token_not_yet_valid"),
        (jwt.InvalidIssuerError, "issuer_mismatch"),
        (jwt.InvalidAudienceError, "audience_mismatch"),
        (jwt.MissingRequiredClaimError, "claims_missing"),
        (jwt.InvalidSignatureError, "signature_invalid"),
        (jwt.InvalidAlgorithmError, "signature_invalid"),
    ]
    return next((reason for kind, reason in reasons if isinstance(error, kind)), "token_malformed")


def _match_applicant(claims: dict[str, Any], expected: IdentityProvider, applicant: Applicant) -> Verified | Rejected:
    names = expected.claims
    given, family, birthdate = (claims.get(name) for name in (names.given_name, names.family_name, names.birthdate))
    if not (isinstance(given, str) and isinstance(family, str) and isinstance(birthdate, str)):
        return Rejected("claims_missing")
    level = expected.level_of(claims.get("acr"))
    if level is None:
        return Rejected("level_of_assurance_unknown")
    same_person = (
        same_name(given, applicant.given_name)
        and same_name(family, applicant.family_name)
        and birthdate == applicant.birth_date.isoformat()
    )
    subject, token_id = claims["sub"], claims["jti"]
    if not (isinstance(subject, str) and subject and isinstance(token_id, str) and token_id):
        return Rejected("claims_missing")
    if not same_person:
        return Rejected("applicant_mismatch")
    expires_at = datetime.fromtimestamp(claims["exp"], UTC)
    # The birth date is the applicant's, written as ISO 8601 (compared above), so it reads as a date.
    born = date.fromisoformat(birthdate)
    return Verified(level, subject, token_id, expires_at, expected.issuer, given, family, born)
