import base64
import json
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from civicflow.identity.domain.assertion import (
    MAX_LIFETIME_SECONDS,
    Rejected,
    Verified,
    signing_key_id,
    verify_assertion,
)
from civicflow.local.idp import SigningKey, subject_of
from civicflow.local.sample import ERIKA
from civicflow.shared.events import Applicant
from civicflow.shared.events.identity import LevelOfAssurance
from tests.support.hostile_tokens import hmac_signed_with, with_claims, with_s_flipped
from tests.support.samples import EXPECTED, token

APPLICANT = Applicant.model_validate(ERIKA)


@pytest.fixture(scope="module")
def provider(tmp_path_factory: pytest.TempPathFactory) -> SigningKey:
    return SigningKey.load_or_create(tmp_path_factory.mktemp("idp"))


@pytest.fixture(scope="module")
def impostor(tmp_path_factory: pytest.TempPathFactory) -> SigningKey:
    return SigningKey.load_or_create(tmp_path_factory.mktemp("other-idp"))


ERIKAS_SUBJECT = subject_of("Erika", "Mustermann", date(1964, 8, 12))


def now() -> datetime:
    """When the citizen submitted: just now, like the tokens the tests issue."""
    return datetime.now(UTC)


def public_key(key: SigningKey) -> jwt.PyJWK:
    return jwt.PyJWK(key.jwks()["keys"][0])


def verified(assertion: str, level: LevelOfAssurance = "substantial", subject: str | None = None) -> Verified:
    """What verifying this token proves: its level and subject, its `jti` and expiry for the replay check, and the
    person as the provider asserted them."""
    claims = jwt.decode(assertion, options={"verify_signature": False})
    expires_at = datetime.fromtimestamp(claims["exp"], UTC)
    person = claims["given_name"], claims["family_name"], date.fromisoformat(claims["birthdate"])
    return Verified(level, subject or ERIKAS_SUBJECT, claims["jti"], expires_at, claims["iss"], *person)


def resigned(key: SigningKey, **changes: Any) -> str:
    """The provider's sample token with some claims changed (None: left out), signed again by `key`."""
    return with_claims(token(key), key.private_key, key.kid, **changes)


def test_a_token_from_the_provider_naming_the_applicant_is_verified(provider: SigningKey) -> None:
    assertion = token(provider)
    assert verify_assertion(assertion, public_key(provider), EXPECTED, APPLICANT, now()) == verified(assertion)


def test_names_compare_without_case_or_extra_spaces(provider: SigningKey) -> None:
    assertion = token(provider, given_name=" erika ", family_name="MUSTERMANN", loa="high")
    assert verify_assertion(assertion, public_key(provider), EXPECTED, APPLICANT, now()) == verified(
        assertion, "high", subject_of(" erika ", "MUSTERMANN", date(1964, 8, 12))
    )


def test_a_token_signed_by_another_key_is_rejected(provider: SigningKey, impostor: SigningKey) -> None:
    forged = token(impostor)
    assert verify_assertion(forged, public_key(provider), EXPECTED, APPLICANT, now()) == Rejected("signature_invalid")
    # and a key id the provider does not publish finds no key at all
    assert verify_assertion(forged, None, EXPECTED, APPLICANT, now()) == Rejected("signature_invalid")


def test_a_tampered_payload_is_rejected(provider: SigningKey) -> None:
    header, _, signature = token(provider).split(".")
    other_payload = token(provider, given_name="Max").split(".")[1]
    tampered = ".".join([header, other_payload, signature])
    assert verify_assertion(tampered, public_key(provider), EXPECTED, APPLICANT, now()) == Rejected("signature_invalid")


@pytest.mark.parametrize(
    ("overrides", "reason"),
    [
        ({"lifetime_seconds": -120}, "token_expired"),
        ({"issuer": "https://evil.example"}, "issuer_mismatch"),
        ({"audience": "someone-else"}, "audience_mismatch"),
        ({"family_name": "Musterfrau"}, "applicant_mismatch"),
        ({"birth_date": date(1964, 8, 13)}, "applicant_mismatch"),
    ],
)
def test_claims_that_do_not_fit_are_rejected_with_a_reason(
    provider: SigningKey, overrides: dict[str, Any], reason: str
) -> None:
    assert verify_assertion(token(provider, **overrides), public_key(provider), EXPECTED, APPLICANT, now()) == Rejected(
        reason  # type: ignore[arg-type]
    )


def test_an_unknown_level_of_assurance_is_rejected(provider: SigningKey) -> None:
    claims = jwt.decode(token(provider), options={"verify_signature": False})
    claims["acr"] = "urn:example:loa:whatever"
    assertion = jwt.encode(claims, provider.private_key, algorithm="ES256", headers={"kid": provider.kid})
    assert verify_assertion(assertion, public_key(provider), EXPECTED, APPLICANT, now()) == Rejected(
        "level_of_assurance_unknown"
    )


def test_missing_identity_claims_are_rejected(provider: SigningKey) -> None:
    claims = jwt.decode(token(provider), options={"verify_signature": False})
    del claims["birthdate"]
    assertion = jwt.encode(claims, provider.private_key, algorithm="ES256", headers={"kid": provider.kid})
    assert verify_assertion(assertion, public_key(provider), EXPECTED, APPLICANT, now()) == Rejected("claims_missing")


def test_an_unsigned_token_is_rejected(provider: SigningKey) -> None:
    claims = jwt.decode(token(provider), options={"verify_signature": False})
    unsigned = jwt.encode(claims, key=None, algorithm="none")  # type: ignore[arg-type]
    assert verify_assertion(unsigned, public_key(provider), EXPECTED, APPLICANT, now()) == Rejected("signature_invalid")


@pytest.mark.parametrize("garbage", ["", "not-a-jwt", "a.b.c"])
def test_garbage_is_malformed(provider: SigningKey, garbage: str) -> None:
    assert signing_key_id(garbage) is None
    assert verify_assertion(garbage, None, EXPECTED, APPLICANT, now()) == Rejected("token_malformed")
    assert verify_assertion(garbage, public_key(provider), EXPECTED, APPLICANT, now()) == Rejected("token_malformed")


def test_the_key_survives_a_restart(tmp_path: Path) -> None:
    assert SigningKey.load_or_create(tmp_path).kid == SigningKey.load_or_create(tmp_path).kid


def test_validity_is_judged_when_the_citizen_submitted_not_when_checked(provider: SigningKey) -> None:
    assertion = token(provider, lifetime_seconds=60)
    an_hour_later = now() + timedelta(hours=1)  # e.g. retried after the provider was down
    assert verify_assertion(assertion, public_key(provider), EXPECTED, APPLICANT, now()) == verified(assertion)
    assert verify_assertion(assertion, public_key(provider), EXPECTED, APPLICANT, an_hour_later) == Rejected(
        "token_expired"
    )
    before_issue = now() - timedelta(minutes=10)
    assert verify_assertion(assertion, public_key(provider), EXPECTED, APPLICANT, before_issue) == Rejected(
        "token_not_yet_valid"
    )


@pytest.mark.parametrize("algorithm", ["HS256", "RS256", "ES384", "PS256", "EdDSA", "none"])
def test_a_header_naming_another_algorithm_is_rejected_never_raised(provider: SigningKey, algorithm: str) -> None:
    _, payload, signature = token(provider).split(".")
    forged_header = base64url(json.dumps({"alg": algorithm, "kid": provider.kid, "typ": "JWT"}))
    forged = ".".join([forged_header, payload, signature])
    outcome = verify_assertion(forged, public_key(provider), EXPECTED, APPLICANT, now())
    assert isinstance(outcome, Rejected)


def test_a_key_for_another_algorithm_family_rejects_instead_of_raising(provider: SigningKey) -> None:
    hmac_key = jwt.PyJWK({"kty": "oct", "k": base64url("secret"), "alg": "HS256", "kid": provider.kid})
    assert verify_assertion(token(provider), hmac_key, EXPECTED, APPLICANT, now()) == Rejected("signature_invalid")


@pytest.mark.parametrize("value", [True, "soon", None, [1], float("nan"), float("inf")])
def test_times_that_are_no_times_are_malformed(provider: SigningKey, value: object) -> None:
    claims = jwt.decode(token(provider), options={"verify_signature": False})
    claims["nbf"] = value
    assertion = jwt.encode(claims, provider.private_key, algorithm="ES256", headers={"kid": provider.kid})
    outcome = verify_assertion(assertion, public_key(provider), EXPECTED, APPLICANT, now())
    assert outcome in (Rejected("token_malformed"), Rejected("claims_missing"))


def base64url(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).rstrip(b"=").decode()


def test_a_token_hmac_signed_with_the_providers_public_key_is_rejected(provider: SigningKey) -> None:
    public = public_key(provider)
    secrets = [
        provider.private_key.public_key().public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo),
        json.dumps(provider.jwks()["keys"][0]).encode(),
    ]
    for secret in secrets:
        confused = hmac_signed_with(token(provider), secret, provider.kid)
        assert verify_assertion(confused, public, EXPECTED, APPLICANT, now()) == Rejected("signature_invalid")


def test_a_token_that_is_not_valid_yet_is_rejected(provider: SigningKey) -> None:
    in_ten_minutes = int(time.time()) + 600
    assertion = resigned(provider, nbf=in_ten_minutes)
    assert verify_assertion(assertion, public_key(provider), EXPECTED, APPLICANT, now()) == Rejected(
        "token_not_yet_valid"
    )


@pytest.mark.parametrize("lifetime", [MAX_LIFETIME_SECONDS + 1, 24 * 3600, 100 * 365 * 24 * 3600])
def test_a_token_that_lives_too_long_is_rejected(provider: SigningKey, lifetime: int) -> None:
    assertion = token(provider, lifetime_seconds=lifetime)
    assert verify_assertion(assertion, public_key(provider), EXPECTED, APPLICANT, now()) == Rejected(
        "token_lifetime_too_long"
    )


def test_a_token_of_the_longest_lifetime_is_taken(provider: SigningKey) -> None:
    assertion = token(provider, lifetime_seconds=MAX_LIFETIME_SECONDS)
    assert verify_assertion(assertion, public_key(provider), EXPECTED, APPLICANT, now()) == verified(assertion)


@pytest.mark.parametrize("claim", ["exp", "iat", "nbf"])
@pytest.mark.parametrize("written", ["2099-01-01T00:00:00Z", "4102444800", "soon"])
def test_a_date_written_as_a_string_is_rejected(provider: SigningKey, claim: str, written: str) -> None:
    assertion = resigned(provider, **{claim: written})
    assert verify_assertion(assertion, public_key(provider), EXPECTED, APPLICANT, now()) == Rejected("token_malformed")


@pytest.mark.parametrize("token_id", [None, ""])
def test_a_token_without_a_jti_is_rejected(provider: SigningKey, token_id: str | None) -> None:
    assertion = resigned(provider, jti=token_id)
    assert verify_assertion(assertion, public_key(provider), EXPECTED, APPLICANT, now()) == Rejected("claims_missing")


def test_a_signature_with_its_s_flipped_verifies_as_the_same_token(provider: SigningKey) -> None:
    """Why a token's use is recorded by its `jti` (domain.replay), never by its bytes."""
    assertion = token(provider)
    flipped = with_s_flipped(assertion)
    assert flipped != assertion
    outcome = verify_assertion(flipped, public_key(provider), EXPECTED, APPLICANT, now())
    assert outcome == verified(assertion)


@pytest.mark.parametrize(
    ("verified_names", "typed_names"),
    [
        (("Erika", "Müller"), ("Erika", "Mueller")),
        (("Erika", "Mueller"), ("Erika", "Müller")),
        (("Erika", "Weiß"), ("ERIKA", "WEISS")),
        (("Anna-Lena", "Groß"), ("Anna Lena", "Gross")),
    ],
)
def test_names_written_another_way_are_the_same_person(
    provider: SigningKey, verified_names: tuple[str, str], typed_names: tuple[str, str]
) -> None:
    (given, family), (typed_given, typed_family) = verified_names, typed_names
    assertion = token(provider, given_name=given, family_name=family)
    applicant = APPLICANT.model_copy(update={"given_name": typed_given, "family_name": typed_family})
    subject = subject_of(given, family, date(1964, 8, 12))
    assert verify_assertion(assertion, public_key(provider), EXPECTED, applicant, now()) == verified(
        assertion, subject=subject
    )


@pytest.mark.parametrize("typed_family", ["Muller", "Möller", "Mülle", "Müller-Lüdenscheidt", "Müllerr"])
def test_another_name_is_a_mismatch_never_corrected(provider: SigningKey, typed_family: str) -> None:
    assertion = token(provider, family_name="Müller")
    applicant = APPLICANT.model_copy(update={"family_name": typed_family})
    assert verify_assertion(assertion, public_key(provider), EXPECTED, applicant, now()) == Rejected(
        "applicant_mismatch"
    )
