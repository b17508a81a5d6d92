"""Checking a signed identity assertion (a JWT from the identity provider) against the applicant.

The level of assurance comes in the `acr` claim as an eIDAS LoA URI (Commission Implementing Regulation
(EU) 2015/1502); names and the birth date in the OpenID Connect standard claims.
"""

import unicodedata
from dataclasses import dataclass
from typing import Any

import jwt

from civicflow.shared.events import Applicant
from civicflow.shared.events.identity import LevelOfAssurance, RejectionReason

EIDAS_LOA: dict[str, LevelOfAssurance] = {
    "http://eidas.europa.eu/LoA/low": "low",
    "http://eidas.europa.eu/LoA/substantial": "substantial",
    "http://eidas.europa.eu/LoA/high": "high",
}
ACCEPTED_ALGORITHMS = ["ES256", "RS256"]
CLOCK_SKEW_SECONDS = 30


@dataclass(frozen=True)
class Verified:
    level_of_assurance: LevelOfAssurance


@dataclass(frozen=True)
class Rejected:
    reason: RejectionReason


@dataclass(frozen=True)
class Expectations:
    issuer: str
    audience: str


def signing_key_id(token: str) -> str | None:
    """The `kid` the token claims to be signed with, or None when the token cannot be read at all."""
    try:
        kid = jwt.get_unverified_header(token).get("kid")
    except jwt.InvalidTokenError:
        return None
    return kid if isinstance(kid, str) else None


def verify_assertion(token: str, key: Any | None, expected: Expectations, applicant: Applicant) -> Verified | Rejected:
    if key is None:
        return Rejected("signature_invalid" if signing_key_id(token) else "token_malformed")
    try:
        claims = jwt.decode(
            token,
            key,
            algorithms=ACCEPTED_ALGORITHMS,
            issuer=expected.issuer,
            audience=expected.audience,
            leeway=CLOCK_SKEW_SECONDS,
            options={"require": ["exp", "iat", "iss", "aud", "sub"]},
        )
    except jwt.InvalidTokenError as error:
        return Rejected(_reason(error))
    return _match_applicant(claims, applicant)


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


def _match_applicant(claims: dict[str, Any], applicant: Applicant) -> Verified | Rejected:
    given, family, birthdate = claims.get("given_name"), claims.get("family_name"), claims.get("birthdate")
    if not (isinstance(given, str) and isinstance(family, str) and isinstance(birthdate, str)):
        return Rejected("claims_missing")
    level = EIDAS_LOA.get(str(claims.get("acr")))
    if level is None:
        return Rejected("level_of_assurance_unknown")
    same_person = (
        _normalised(given) == _normalised(applicant.given_name)
        and _normalised(family) == _normalised(applicant.family_name)
        and birthdate == applicant.birth_date.isoformat()
    )
    return Verified(level) if same_person else Rejected("applicant_mismatch")


def _normalised(name: str) -> str:
    return " ".join(unicodedata.normalize("NFC", name).casefold().split())
