"""More than one identity provider: each token is verified by the provider whose issuer it claims, with that
provider's keys, claim names and `acr` values; an issuer nobody configured is refused."""

from pathlib import Path
from typing import Any

import jwt
import pytest

from civicflow.identity.handlers import Trusted, Verifier, verify_submission
from civicflow.local.idp import SigningKey
from civicflow.local.sample import BUSINESS_REGISTRATION, ERIKA
from civicflow.shared.events import Applicant, IdentityRejected, IdentityVerified
from civicflow.shared.events.identity import AssuranceLevel
from civicflow.shared.identity_providers import ClaimNames, IdentityProvider
from civicflow.shared.security.keys import KeyName
from civicflow.shared.security.sealing import sealer_for
from tests.support import sealing
from tests.support.hostile_tokens import with_claims
from tests.support.samples import EXPECTED, token
from tests.unit.fakes import FakeProfiles, FakePublisher, FakeTokenUses

KEYS = sealing.made_keys()
INTAKE = sealing.sealer_with_every_key(KEYS)
IDENTITY = sealer_for(KEYS, KeyName.APPLICANT, KeyName.IDENTITY_TOKEN)
# A provider of its own making: German claim names and its own `acr` values.
BUND = IdentityProvider(
    name="bund",
    issuer="https://id.bund.example",
    audience="civicflow",
    claims=ClaimNames(given_name="vorname", family_name="nachname", birthdate="geburtsdatum"),
    acr={
        "urn:bund:niveau:normal": "low",
        "urn:bund:niveau:substanziell": "substantial",
        "urn:bund:niveau:hoch": "high",
    },
)


class KnownKeys:
    def __init__(self, key: SigningKey) -> None:
        self._keys = {key.kid: jwt.PyJWK(key.jwks()["keys"][0])}

    async def key(self, kid: str | None) -> jwt.PyJWK | None:
        return self._keys.get(kid) if kid else None


@pytest.fixture
def keys(tmp_path: Path) -> tuple[SigningKey, SigningKey]:
    return SigningKey.load_or_create(tmp_path / "dev"), SigningKey.load_or_create(tmp_path / "bund")


def bund_token(key: SigningKey, acr: str = "urn:bund:niveau:hoch", **changes: Any) -> str:
    """Erika's token as the Bund provider writes it: its issuer, its claim names, its `acr` value."""
    renamed = {"given_name": None, "family_name": None, "birthdate": None}
    erika = {"vorname": "Erika", "nachname": "Mustermann", "geburtsdatum": "1964-08-12"}
    original = token(key, issuer=BUND.issuer)
    return with_claims(original, key.private_key, key.kid, **renamed, **erika, acr=acr, **changes)


async def outcome(identity_token: str, dev: SigningKey, bund: SigningKey, minimum: AssuranceLevel = "low") -> Any:
    applicant = Applicant.model_validate(ERIKA)
    event = sealing.received(INTAKE, applicant, BUSINESS_REGISTRATION, identity_token, "99050012104000", minimum)
    trusted = (Trusted(EXPECTED, KnownKeys(dev)), Trusted(BUND, KnownKeys(bund)))
    publisher = FakePublisher()
    await verify_submission(event, Verifier(trusted, IDENTITY, b"p" * 32, FakeTokenUses(), FakeProfiles()), publisher)
    ((_, published, _),) = publisher.published
    return published


async def test_each_token_is_verified_by_its_own_provider(keys: tuple[SigningKey, SigningKey]) -> None:
    dev, bund = keys
    from_dev, from_bund = await outcome(token(dev), dev, bund), await outcome(bund_token(bund), dev, bund)
    assert isinstance(from_dev, IdentityVerified) and from_dev.level_of_assurance == "substantial"
    assert isinstance(from_bund, IdentityVerified) and from_bund.level_of_assurance == "high"
    # the same person at two providers is two subjects: their pseudonyms are keyed on the issuer too
    assert from_dev.citizen_id != from_bund.citizen_id


@pytest.mark.parametrize(
    ("acr", "minimum", "expected"),
    [
        ("urn:bund:niveau:normal", "low", "low"),
        ("urn:bund:niveau:substanziell", "substantial", "substantial"),
        ("urn:bund:niveau:normal", "substantial", "level_of_assurance_insufficient"),
        ("http://eidas.europa.eu/LoA/high", "low", "level_of_assurance_unknown"),  # not this provider's value
    ],
)
async def test_a_providers_own_acr_values_are_its_levels(
    keys: tuple[SigningKey, SigningKey], acr: str, minimum: AssuranceLevel, expected: str
) -> None:
    dev, bund = keys
    published = await outcome(bund_token(bund, acr=acr), dev, bund, minimum)
    found = published.level_of_assurance if isinstance(published, IdentityVerified) else published.reason
    assert found == expected


async def test_a_token_claiming_another_providers_issuer_fails_its_signature(
    keys: tuple[SigningKey, SigningKey],
) -> None:
    dev, bund = keys
    # signed by the dev provider, written as Bund writes its tokens: checked against Bund's keys, it fails
    impostor = await outcome(bund_token(dev), dev, bund)
    under_bunds_key_id = with_claims(bund_token(dev), dev.private_key, bund.kid)
    relabelled = await outcome(under_bunds_key_id, dev, bund)
    assert isinstance(impostor, IdentityRejected) and impostor.reason == "signature_invalid"
    assert isinstance(relabelled, IdentityRejected) and relabelled.reason == "signature_invalid"


async def test_the_claim_names_are_the_providers_own(keys: tuple[SigningKey, SigningKey]) -> None:
    dev, bund = keys
    # Bund's issuer with the standard claim names: Bund's claims are missing
    standard_names = with_claims(token(bund, issuer=BUND.issuer, loa="high"), bund.private_key, bund.kid)
    rejected = await outcome(standard_names, dev, bund)
    assert isinstance(rejected, IdentityRejected) and rejected.reason == "claims_missing"


@pytest.mark.parametrize(("issuer", "reason"), [("https://evil.example", "issuer_mismatch"), (None, "claims_missing")])
async def test_an_issuer_no_provider_is_configured_with_is_refused(
    keys: tuple[SigningKey, SigningKey], issuer: str | None, reason: str
) -> None:
    dev, bund = keys
    published = await outcome(with_claims(token(dev), dev.private_key, dev.kid, iss=issuer), dev, bund)
    assert isinstance(published, IdentityRejected) and published.reason == reason
