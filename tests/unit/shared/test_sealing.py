from uuid import uuid4

import pytest

from civicflow.shared.events import Applicant, personal
from civicflow.shared.security.keys import KeyName, Keyring, KeySettingError, keyring
from civicflow.shared.security.sealing import Sealer, Unsealable, sealer_for
from civicflow.shared.settings import FieldKeySettings
from tests.support.sealing import made_keys, new_key

ERIKA = Applicant.model_validate(
    {
        "given_name": "Erika",
        "family_name": "Mustermann",
        "birth_date": "1964-08-12",
        "email": "erika@example.org",
        "address": {"street": "Heidestraße 17", "postal_code": "51147", "city": "Köln"},
    }
)


def test_a_sealed_value_opens_only_for_its_submission_and_field() -> None:
    sealer = sealer_for(made_keys(), *KeyName)
    submission_id = uuid4()
    sealed = sealer.seal(personal.APPLICANT, ERIKA, submission_id)
    assert "Erika" not in sealed.model_dump_json() and "1964" not in sealed.model_dump_json()
    assert sealer.open(personal.APPLICANT, sealed, submission_id) == ERIKA
    with pytest.raises(Unsealable):
        sealer.open(personal.APPLICANT, sealed, uuid4())  # copied into another submission's event
    form = sealer.seal(personal.FORM, {"a": 1}, submission_id)
    with pytest.raises(Unsealable):
        sealer.open(personal.FORM, sealed.model_copy(update={"sealed_for": KeyName.APPLICANT}), submission_id)
    with pytest.raises(Unsealable):
        sealer.open(personal.APPLICANT, form, submission_id)  # another field's value


def test_a_tampered_value_and_a_key_it_does_not_hold_do_not_open() -> None:
    keys = made_keys()
    sealer, notify = sealer_for(keys, *KeyName), sealer_for(keys, KeyName.CONTACT)
    submission_id = uuid4()
    sealed = sealer.seal(personal.IDENTITY_TOKEN, "header.payload.signature", submission_id)
    flipped = sealed.ciphertext[:-2] + ("A" if sealed.ciphertext[-2] != "A" else "B") + sealed.ciphertext[-1]
    with pytest.raises(Unsealable):
        sealer.open(personal.IDENTITY_TOKEN, sealed.model_copy(update={"ciphertext": flipped}), submission_id)
    with pytest.raises(Unsealable):
        notify.open(personal.IDENTITY_TOKEN, sealed, submission_id)  # notify holds no identity-token key
    other = sealer_for(made_keys(), *KeyName)  # the same key id, another key
    with pytest.raises(Unsealable):
        other.open(personal.IDENTITY_TOKEN, sealed, submission_id)


def test_a_rotated_key_seals_with_the_new_one_and_still_opens_the_old() -> None:
    old, new = new_key("k1"), new_key("k2")
    before = Sealer({KeyName.CONTACT: Keyring.parse(KeyName.CONTACT, old)})
    after = Sealer({KeyName.CONTACT: Keyring.parse(KeyName.CONTACT, f"{new},{old}")})
    submission_id = uuid4()
    sealed_before = before.seal(personal.CONTACT_ADDRESS, "erika@example.org", submission_id)
    sealed_after = after.seal(personal.CONTACT_ADDRESS, "erika@example.org", submission_id)
    assert (sealed_before.key_id, sealed_after.key_id) == ("k1", "k2")
    assert after.open(personal.CONTACT_ADDRESS, sealed_before, submission_id) == "erika@example.org"
    with pytest.raises(Unsealable):
        before.open(personal.CONTACT_ADDRESS, sealed_after, submission_id)


@pytest.mark.parametrize("setting", ["", "k1", "k1:short", "bad id:" + "A" * 43, "k1:" + "!" * 43])
def test_a_malformed_key_is_refused(setting: str) -> None:
    with pytest.raises(KeySettingError, match="CIVICFLOW_KEYS_APPLICANT"):
        Keyring.parse(KeyName.APPLICANT, setting)


def test_a_missing_key_is_refused_by_name() -> None:
    with pytest.raises(KeySettingError, match="CIVICFLOW_KEYS_PSEUDONYM"):
        keyring(FieldKeySettings(), KeyName.PSEUDONYM)
