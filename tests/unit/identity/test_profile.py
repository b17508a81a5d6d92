"""The once-only profile as identity builds it: the provider's verified attributes, the citizen's address and
contact preferences with where and when they were given."""

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from uuid import uuid4

import jwt
import pytest

from civicflow.identity.domain.assertion import Verified, verify_assertion
from civicflow.identity.domain.profile import profile_of, saved_event_id, with_contact
from civicflow.local.idp import SigningKey
from civicflow.local.sample import ERIKA
from civicflow.shared.events import Applicant, ContactPreferences, Recipient, Step, derive_event_id
from civicflow.shared.identity_providers import ClaimNames, DisplayName, IdentityProvider
from civicflow.shared.security.keys import KeyName
from civicflow.shared.security.sealing import Sealed
from tests.support.hostile_tokens import with_claims
from tests.support.samples import EXPECTED, token

APPLICANT = Applicant.model_validate(ERIKA)
BUND = IdentityProvider(
    name="bund",
    issuer="https://id.bund.example",
    audience="civicflow",
    claims=ClaimNames(given_name="vorname", family_name="nachname", birthdate="geburtsdatum"),
    display_name=DisplayName(de="BundID", en="BundID (federal)"),
)
FILED = datetime(2026, 11, 27, 9, 30, tzinfo=UTC)
NOW = FILED + timedelta(minutes=2)


@pytest.fixture(scope="module")
def key(tmp_path_factory: pytest.TempPathFactory) -> SigningKey:
    return SigningKey.load_or_create(tmp_path_factory.mktemp("idp"))


def recipient(language: str = "de", channel: str = "email") -> Recipient:
    address = Sealed(sealed_for=KeyName.CONTACT, key_id="k1", wrapped_key="", ciphertext="")
    return Recipient.model_validate({"address": address, "language": language, "channel": channel})


def verified_by(provider: IdentityProvider, assertion: str, key: SigningKey, applicant: Applicant) -> Verified:
    outcome = verify_assertion(assertion, jwt.PyJWK(key.jwks()["keys"][0]), provider, applicant, datetime.now(UTC))
    assert isinstance(outcome, Verified)
    return outcome


def test_the_verified_attributes_are_the_providers_and_the_rest_the_citizens(key: SigningKey) -> None:
    # The provider writes "Müller", the citizen typed "Mueller": the profile keeps what was verified.
    typed = APPLICANT.model_copy(update={"family_name": "Mueller"})
    verified = verified_by(EXPECTED, token(key, family_name="Müller"), key, typed)
    profile = profile_of(verified, EXPECTED, typed, recipient("en", "email"), FILED, NOW)
    assert profile is not None
    assert (profile.verified.given_name, profile.verified.family_name) == ("Erika", "Müller")
    assert profile.verified.birth_date == date(1964, 8, 12) and profile.verified.level_of_assurance == "substantial"
    assert (profile.verified.provider, profile.verified.verified_at) == ("dev", NOW)  # no display name: its name
    assert (profile.address, profile.address_given_at) == (APPLICANT.address, FILED)
    assert profile.contact == ContactPreferences(email="erika@example.org", language="en", channel="email")
    assert (profile.contact_given_in, profile.contact_given_at) == ("application", FILED)


def test_the_names_come_from_the_providers_own_claims_and_it_is_named_as_the_citizen_knows_it(
    tmp_path: Path,
) -> None:
    key = SigningKey.load_or_create(tmp_path)
    renamed = {"given_name": None, "family_name": None, "birthdate": None}
    german = {"vorname": "Erika", "nachname": "Mustermann", "geburtsdatum": "1964-08-12"}
    assertion = with_claims(token(key, issuer=BUND.issuer), key.private_key, key.kid, **renamed, **german)
    verified = verified_by(BUND, assertion, key, APPLICANT)
    assert (verified.given_name, verified.family_name, verified.birth_date) == (
        "Erika",
        "Mustermann",
        date(1964, 8, 12),
    )
    profile = profile_of(verified, BUND, APPLICANT, recipient("de"), FILED, NOW)
    assert profile is not None and profile.verified.provider == "BundID"


def test_asserted_names_that_do_not_fit_a_profile_keep_none(key: SigningKey) -> None:
    # 200 umlauts typed, the provider writes each as two letters: the same name, too long for a profile.
    typed = APPLICANT.model_copy(update={"given_name": "Ü" * 200})
    verified = verified_by(EXPECTED, token(key, given_name="Ue" * 200), key, typed)
    assert profile_of(verified, EXPECTED, typed, recipient(), FILED, NOW) is None


def test_changed_contact_preferences_are_given_on_the_profile_page(key: SigningKey) -> None:
    verified = verified_by(EXPECTED, token(key), key, APPLICANT)
    profile = profile_of(verified, EXPECTED, APPLICANT, recipient(), FILED, NOW)
    assert profile is not None
    contact, later = ContactPreferences(email="erika@example.net", language="en"), NOW + timedelta(days=3)
    changed = with_contact(profile, contact, later)
    assert (changed.contact, changed.contact_given_in, changed.contact_given_at) == (contact, "profile", later)
    assert (changed.verified, changed.address, changed.address_given_at) == (
        profile.verified,
        profile.address,
        FILED,
    )


def test_a_saved_profiles_event_id_is_derived_from_its_cause_alone() -> None:
    cause = uuid4()
    assert saved_event_id(cause) == saved_event_id(cause) != saved_event_id(uuid4())
    assert saved_event_id(cause) not in {derive_event_id(cause, step) for step in Step}
