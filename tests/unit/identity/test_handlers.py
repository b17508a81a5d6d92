from datetime import UTC, datetime, timedelta
from pathlib import Path

import jwt
import pytest

from civicflow.identity.domain.profile import saved_event_id
from civicflow.identity.handlers import Trusted, Verifier, change_contact, erase_profile, verify_submission
from civicflow.local.idp import SigningKey
from civicflow.local.sample import BUSINESS_REGISTRATION, ERIKA
from civicflow.shared import topics
from civicflow.shared.events import (
    Applicant,
    ContactPreferences,
    ContactPreferencesChanged,
    ErasureRequested,
    IdentityRejected,
    IdentityVerified,
    ProfileSaved,
    SubmissionReceived,
    personal,
)
from civicflow.shared.events.identity import AssuranceLevel
from civicflow.shared.events.personal import of_citizen
from civicflow.shared.identity_providers import IdentityProvider
from civicflow.shared.messaging import StoreUnavailable
from civicflow.shared.messaging.failures import Disposition, classify
from civicflow.shared.security.keys import KeyName
from civicflow.shared.security.sealing import Unsealable, sealer_for
from tests.support import sealing
from tests.support.hostile_tokens import with_s_flipped
from tests.support.samples import EXPECTED, token
from tests.unit.fakes import FakeProfiles, FakePublisher, FakeTokenUses

KEYS = sealing.made_keys()
INTAKE = sealing.sealer_with_every_key(KEYS)
IDENTITY = sealer_for(KEYS, KeyName.APPLICANT, KeyName.IDENTITY_TOKEN, KeyName.PROFILE)
PSEUDONYM_KEY = b"p" * 32


class KnownKeys:
    def __init__(self, key: SigningKey) -> None:
        self._keys = {key.kid: jwt.PyJWK(key.jwks()["keys"][0])}

    async def key(self, kid: str | None) -> jwt.PyJWK | None:
        return self._keys.get(kid) if kid else None


def received(identity_token: str | None, minimum: AssuranceLevel = "low") -> SubmissionReceived:
    applicant = Applicant.model_validate(ERIKA)
    return sealing.received(INTAKE, applicant, BUSINESS_REGISTRATION, identity_token, "99050012104000", minimum)


async def run(
    event: SubmissionReceived,
    keys: KnownKeys,
    publisher: FakePublisher,
    expected: IdentityProvider = EXPECTED,
    uses: FakeTokenUses | None = None,
    profiles: FakeProfiles | None = None,
) -> None:
    await verify_submission(event, verifier(keys, expected, uses, profiles), publisher)


def verifier(
    keys: KnownKeys,
    expected: IdentityProvider = EXPECTED,
    uses: FakeTokenUses | None = None,
    profiles: FakeProfiles | None = None,
) -> Verifier:
    return Verifier(
        (Trusted(expected, keys),), IDENTITY, PSEUDONYM_KEY, uses or FakeTokenUses(), profiles or FakeProfiles()
    )


async def test_a_verified_submission_is_passed_on_with_an_id_derived_from_its_cause(tmp_path: Path) -> None:
    key = SigningKey.load_or_create(tmp_path)
    publisher = FakePublisher()
    event, uses = (
        received(token(key)).model_copy(update={"agency_needs": ("given_name", "family_name")}),
        FakeTokenUses(),
    )
    await run(event, KnownKeys(key), publisher, uses=uses)
    await run(event, KnownKeys(key), publisher, uses=uses)  # redelivered: the same event id, which routing skips
    assert publisher.topics() == [topics.IDENTITY_VERIFIED] * 2
    verified, again = publisher.published[0][1], publisher.published[1][1]
    assert isinstance(verified, IdentityVerified) and isinstance(again, IdentityVerified)
    assert verified.event_id == again.event_id
    assert verified.level_of_assurance == "substantial" and verified.submission_id == event.submission_id
    assert verified.event_id != event.event_id and verified.received_at == event.occurred_at
    # The identity token goes no further; the applicant travels on sealed as intake sealed them.
    assert "identity_token" not in verified.model_dump() and verified.applicant == event.applicant
    assert verified.agency_needs == ("given_name", "family_name")  # what routing may hand the agency


async def test_the_same_person_gets_the_same_pseudonymous_citizen_id(tmp_path: Path) -> None:
    key = SigningKey.load_or_create(tmp_path)
    publisher = FakePublisher()
    await run(received(token(key)), KnownKeys(key), publisher)
    await run(received(token(key)), KnownKeys(key), publisher)
    await run(received(token(key, given_name="Max", family_name="Muster")), KnownKeys(key), FakePublisher())
    first, second = (event for _, event, _ in publisher.published)
    assert isinstance(first, IdentityVerified) and isinstance(second, IdentityVerified)
    assert first.citizen_id is not None and first.citizen_id == second.citizen_id and "Erika" not in first.citizen_id


async def test_a_forged_token_is_rejected_never_passed_on(tmp_path: Path) -> None:
    real, forger = (
        SigningKey.load_or_create(tmp_path / "real"),
        SigningKey.load_or_create(tmp_path / "forger"),
    )
    publisher = FakePublisher()
    await run(received(token(forger)), KnownKeys(real), publisher)
    assert publisher.topics() == [topics.IDENTITY_REJECTED]
    rejected = publisher.published[0][1]
    assert isinstance(rejected, IdentityRejected) and rejected.reason == "signature_invalid"


async def test_a_service_that_needs_no_identity_passes_without_an_assertion_and_without_a_citizen_id(
    tmp_path: Path,
) -> None:
    publisher = FakePublisher()
    await run(received(None, minimum="none"), KnownKeys(SigningKey.load_or_create(tmp_path)), publisher)
    verified = publisher.published[0][1]
    assert isinstance(verified, IdentityVerified)
    assert verified.level_of_assurance == "none" and verified.citizen_id is None


async def test_an_assertion_is_still_checked_where_none_is_needed(tmp_path: Path) -> None:
    key, publisher = SigningKey.load_or_create(tmp_path), FakePublisher()
    await run(received(token(key, given_name="Max"), minimum="none"), KnownKeys(key), publisher)
    assert publisher.topics() == [topics.IDENTITY_REJECTED]


@pytest.mark.parametrize(
    ("identity_token", "minimum", "reason"),
    [(None, "low", "identity_missing"), ("signed", "high", "level_of_assurance_insufficient")],
)
async def test_an_application_below_the_services_level_of_assurance_is_rejected(
    tmp_path: Path, identity_token: str | None, minimum: AssuranceLevel, reason: str
) -> None:
    key, publisher = SigningKey.load_or_create(tmp_path), FakePublisher()
    signed = token(key) if identity_token else None  # the sample assertion proves "substantial"
    await run(received(signed, minimum=minimum), KnownKeys(key), publisher)
    rejected = publisher.published[0][1]
    assert isinstance(rejected, IdentityRejected) and rejected.reason == reason


def rejections(publisher: FakePublisher) -> list[str]:
    return [event.reason for _, event, _ in publisher.published if isinstance(event, IdentityRejected)]


async def test_a_token_files_one_submission_and_a_second_use_is_a_replay(tmp_path: Path) -> None:
    key, publisher, uses = SigningKey.load_or_create(tmp_path), FakePublisher(), FakeTokenUses()
    assertion = token(key)
    first, second = received(assertion), received(assertion)
    await run(first, KnownKeys(key), publisher, uses=uses)
    await run(second, KnownKeys(key), publisher, uses=uses)
    await run(first, KnownKeys(key), publisher, uses=uses)  # the first, redelivered or retried: still verified
    assert publisher.topics() == [topics.IDENTITY_VERIFIED, topics.IDENTITY_REJECTED, topics.IDENTITY_VERIFIED]
    assert rejections(publisher) == ["token_replayed"]
    outcomes = [event for _, event, _ in publisher.published]
    assert all(isinstance(event, IdentityVerified | IdentityRejected) for event in outcomes)
    assert [event.submission_id for event in outcomes if isinstance(event, IdentityVerified | IdentityRejected)] == [
        first.submission_id,
        second.submission_id,
        first.submission_id,
    ]


async def test_a_token_with_its_signature_rewritten_is_still_the_same_token(tmp_path: Path) -> None:
    key, publisher, uses = SigningKey.load_or_create(tmp_path), FakePublisher(), FakeTokenUses()
    assertion = token(key)
    await run(received(assertion), KnownKeys(key), publisher, uses=uses)
    await run(received(with_s_flipped(assertion)), KnownKeys(key), publisher, uses=uses)
    assert publisher.topics() == [topics.IDENTITY_VERIFIED, topics.IDENTITY_REJECTED]
    assert rejections(publisher) == ["token_replayed"]


async def test_a_rejected_use_does_not_use_the_token_up(tmp_path: Path) -> None:
    real, forger = SigningKey.load_or_create(tmp_path / "real"), SigningKey.load_or_create(tmp_path / "forger")
    publisher, uses = FakePublisher(), FakeTokenUses()
    assertion = token(real)
    # the same claims (and jti) under a forger's signature, and the real token for a service that asks for more
    claims = jwt.decode(assertion, options={"verify_signature": False})
    forged = jwt.encode(claims, forger.private_key, algorithm="ES256", headers={"kid": real.kid})
    await run(received(forged), KnownKeys(real), publisher, uses=uses)
    await run(received(assertion, minimum="high"), KnownKeys(real), publisher, uses=uses)
    await run(received(assertion), KnownKeys(real), publisher, uses=uses)
    assert rejections(publisher) == ["signature_invalid", "level_of_assurance_insufficient"]
    assert publisher.topics()[-1] == topics.IDENTITY_VERIFIED


async def test_a_store_that_is_down_is_no_rejection(tmp_path: Path) -> None:
    key, publisher, uses = SigningKey.load_or_create(tmp_path), FakePublisher(), FakeTokenUses()
    uses.failing = True
    with pytest.raises(StoreUnavailable):
        await run(received(token(key)), KnownKeys(key), publisher, uses=uses)
    assert publisher.published == []


async def test_a_token_checked_after_its_use_may_be_forgotten_is_not_taken(tmp_path: Path) -> None:
    key, publisher = SigningKey.load_or_create(tmp_path), FakePublisher()
    issued = datetime.now(UTC) - timedelta(days=15)
    claims = jwt.decode(token(key), options={"verify_signature": False})
    claims |= {"iat": int(issued.timestamp()), "nbf": int(issued.timestamp()), "exp": int(issued.timestamp()) + 900}
    old = jwt.encode(claims, key.private_key, algorithm="ES256", headers={"kid": key.kid})
    # filed while the token was valid, but reaching identity after its use could have been swept
    event = received(old).model_copy(update={"occurred_at": issued + timedelta(minutes=1)})
    await run(event, KnownKeys(key), publisher)
    assert rejections(publisher) == ["token_expired"]


# The once-only profile: kept when the citizen allowed it, changed, erased.


def consenting(
    identity_token: str | None, minimum: AssuranceLevel = "low", after: timedelta | None = None
) -> SubmissionReceived:
    """A submission whose applicant allowed us to keep their profile, filed `after` now."""
    event = received(identity_token, minimum).model_copy(update={"keep_profile": True})
    return event.model_copy(update={"occurred_at": event.occurred_at + after}) if after else event


def saved_profiles(publisher: FakePublisher) -> list[ProfileSaved]:
    return [event for _, event, _ in publisher.published if isinstance(event, ProfileSaved)]


async def test_a_consenting_verified_applicants_profile_is_kept_and_published_once_per_cause(tmp_path: Path) -> None:
    key, publisher, profiles, uses = (
        SigningKey.load_or_create(tmp_path),
        FakePublisher(),
        FakeProfiles(),
        FakeTokenUses(),
    )
    event = consenting(token(key))
    await run(event, KnownKeys(key), publisher, uses=uses, profiles=profiles)
    await run(event, KnownKeys(key), publisher, uses=uses, profiles=profiles)  # redelivered
    assert publisher.topics() == [topics.IDENTITY_VERIFIED, topics.PROFILE_SAVED] * 2
    verified, first, _, again = (event for _, event, _ in publisher.published)
    assert isinstance(verified, IdentityVerified) and verified.citizen_id is not None
    assert isinstance(first, ProfileSaved) and isinstance(again, ProfileSaved)
    assert first.event_id == again.event_id == saved_event_id(event.event_id)
    assert first.citizen_id == verified.citizen_id and first.occurred_at == event.occurred_at
    assert [key for topic, _, key in publisher.published if topic == topics.PROFILE_SAVED] == [first.citizen_id] * 2
    # sealed for the citizen (intake opens it), and kept as published
    profile = INTAKE.open(personal.PROFILE, first.profile, of_citizen(first.citizen_id))
    assert profile.verified.given_name == "Erika" and profile.verified.level_of_assurance == "substantial"
    assert profile.verified.provider == "dev" and profile.address.city == "Köln"
    assert profile.contact == ContactPreferences(email="erika@example.org", language="de", channel="email")
    assert (profile.contact_given_in, profile.contact_given_at) == ("application", event.occurred_at)
    assert await profiles.get(first.citizen_id) == INTAKE.open(
        personal.PROFILE, again.profile, of_citizen(first.citizen_id)
    )
    assert "Erika" not in first.model_dump_json()


async def test_without_consent_nothing_is_kept_or_published(tmp_path: Path) -> None:
    key, publisher, profiles = SigningKey.load_or_create(tmp_path), FakePublisher(), FakeProfiles()
    await run(received(token(key)), KnownKeys(key), publisher, profiles=profiles)
    assert publisher.topics() == [topics.IDENTITY_VERIFIED] and profiles.kept == {}


async def test_a_rejected_or_unidentified_applicants_consent_keeps_nothing(tmp_path: Path) -> None:
    key, publisher, profiles = SigningKey.load_or_create(tmp_path), FakePublisher(), FakeProfiles()
    await run(consenting(token(key, given_name="Max")), KnownKeys(key), publisher, profiles=profiles)
    await run(consenting(None, minimum="none"), KnownKeys(key), publisher, profiles=profiles)
    assert publisher.topics() == [topics.IDENTITY_REJECTED, topics.IDENTITY_VERIFIED] and profiles.kept == {}


async def kept_for_erika(key: SigningKey, profiles: FakeProfiles, after: timedelta | None = None) -> ProfileSaved:
    publisher = FakePublisher()
    await run(consenting(token(key), after=after), KnownKeys(key), publisher, profiles=profiles)
    (saved,) = saved_profiles(publisher)
    return saved


def contact_changed(citizen_id: str, contact: ContactPreferences, after: timedelta) -> ContactPreferencesChanged:
    sealed = INTAKE.seal(personal.CONTACT_PREFERENCES, contact, of_citizen(citizen_id))
    return ContactPreferencesChanged(citizen_id=citizen_id, contact=sealed, occurred_at=datetime.now(UTC) + after)


async def test_changed_contact_preferences_make_a_new_version_of_the_kept_profile(tmp_path: Path) -> None:
    key, profiles, publisher = SigningKey.load_or_create(tmp_path), FakeProfiles(), FakePublisher()
    citizen_id = (await kept_for_erika(key, profiles)).citizen_id
    english = ContactPreferences(email="erika@example.net", language="en")
    change = contact_changed(citizen_id, english, timedelta(minutes=1))
    await change_contact(change, verifier(KnownKeys(key), profiles=profiles), publisher)
    await change_contact(change, verifier(KnownKeys(key), profiles=profiles), publisher)  # redelivered
    first, again = saved_profiles(publisher)
    assert first.event_id == again.event_id == saved_event_id(change.event_id)
    profile = INTAKE.open(personal.PROFILE, again.profile, of_citizen(citizen_id))
    assert (profile.contact, profile.contact_given_in, profile.contact_given_at) == (
        english,
        "profile",
        change.occurred_at,
    )
    assert profile.verified.given_name == "Erika" and await profiles.get(citizen_id) == profile


async def test_a_later_application_keeps_the_channel_chosen_on_the_profile_page(tmp_path: Path) -> None:
    # The phone number of an application is sealed for notify alone: the profile's choice stays the profile's.
    key, profiles, publisher = SigningKey.load_or_create(tmp_path), FakeProfiles(), FakePublisher()
    citizen_id = (await kept_for_erika(key, profiles)).citizen_id
    by_sms = ContactPreferences(email="erika@example.net", language="en", channel="sms", phone="+4915112345678")
    await change_contact(
        contact_changed(citizen_id, by_sms, timedelta(minutes=1)),
        verifier(KnownKeys(key), profiles=profiles),
        publisher,
    )
    later = await kept_for_erika(key, profiles, after=timedelta(minutes=2))
    profile = INTAKE.open(personal.PROFILE, later.profile, of_citizen(citizen_id))
    assert profile.contact == ContactPreferences(
        email="erika@example.org", language="de", channel="sms", phone="+4915112345678"
    )
    assert profile.contact_given_in == "application"


async def test_a_contact_change_without_a_kept_profile_changes_nothing(tmp_path: Path) -> None:
    key, profiles, publisher = SigningKey.load_or_create(tmp_path), FakeProfiles(), FakePublisher()
    change = contact_changed("c" * 32, ContactPreferences(email="erika@example.net"), timedelta(0))
    await change_contact(change, verifier(KnownKeys(key), profiles=profiles), publisher)
    assert publisher.published == [] and profiles.kept == {}


async def test_a_contact_change_that_does_not_open_is_the_messages_fault(tmp_path: Path) -> None:
    key, profiles, publisher = SigningKey.load_or_create(tmp_path), FakeProfiles(), FakePublisher()
    citizen_id = (await kept_for_erika(key, profiles)).citizen_id
    # sealed for another citizen, and copied into this one's event
    copied = contact_changed("c" * 32, ContactPreferences(email="mallory@example.net"), timedelta(minutes=1))
    with pytest.raises(Unsealable) as raised:
        await change_contact(
            copied.model_copy(update={"citizen_id": citizen_id}), verifier(KnownKeys(key), profiles=profiles), publisher
        )
    assert classify(raised.value) is Disposition.PERMANENT and publisher.published == []


async def test_an_erasure_is_not_undone_by_an_older_consent_but_by_a_later_one(tmp_path: Path) -> None:
    key, profiles, publisher = SigningKey.load_or_create(tmp_path), FakeProfiles(), FakePublisher()
    citizen_id = (await kept_for_erika(key, profiles)).citizen_id
    erased = ErasureRequested(citizen_id=citizen_id, occurred_at=datetime.now(UTC) + timedelta(seconds=5))
    await erase_profile(erased, verifier(KnownKeys(key), profiles=profiles))
    await erase_profile(erased, verifier(KnownKeys(key), profiles=profiles))  # redelivered
    assert await profiles.get(citizen_id) is None
    # filed before the erasure, handled after it (a retry, a lagging partition)
    await run(consenting(token(key)), KnownKeys(key), publisher, profiles=profiles)
    assert publisher.topics() == [topics.IDENTITY_VERIFIED] and await profiles.get(citizen_id) is None
    later = await kept_for_erika(key, profiles, after=timedelta(seconds=10))
    assert later.citizen_id == citizen_id and await profiles.get(citizen_id) is not None


async def test_a_store_that_is_down_keeps_no_profile_and_is_retried(tmp_path: Path) -> None:
    key, profiles, publisher = SigningKey.load_or_create(tmp_path), FakeProfiles(), FakePublisher()
    profiles.failing = True
    with pytest.raises(StoreUnavailable):
        await run(consenting(token(key)), KnownKeys(key), publisher, profiles=profiles)
    assert publisher.topics() == [topics.IDENTITY_VERIFIED]  # published again, with the same id, on the retry
    with pytest.raises(StoreUnavailable):
        await erase_profile(ErasureRequested(citizen_id="c" * 32), verifier(KnownKeys(key), profiles=profiles))
