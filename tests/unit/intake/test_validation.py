import copy
from typing import Any

import pytest

from civicflow.intake.domain.catalogue import Catalogue
from civicflow.intake.domain.validation import FieldError, ValidSubmission, validate_submission
from civicflow.local.sample import ERIKA
from tests.support.samples import valid_body

CATALOGUE = Catalogue.bundled()


def pointers(result: ValidSubmission | list[FieldError]) -> set[str]:
    assert isinstance(result, list), "expected validation errors"
    return {error.pointer for error in result}


def test_a_complete_business_registration_is_valid() -> None:
    result = validate_submission(valid_body(), CATALOGUE)
    assert isinstance(result, ValidSubmission)
    assert result.form["start_date"] == "2026-12-01"
    assert result.service.title.de == "Gewerbe anmelden"


def test_the_catalogue_holds_at_least_six_services_by_leika_key() -> None:
    assert len(CATALOGUE.services) >= 6
    assert all(len(key) == 14 and key.startswith("99") for key in CATALOGUE.services)
    levels = {spec.minimum_level_of_assurance for spec in CATALOGUE.services.values()}
    assert {"none", "high"} <= levels


def test_every_field_and_option_speaks_german_and_english() -> None:
    for spec in CATALOGUE.services.values():
        assert spec.title.de and spec.title.en and spec.description.de and spec.description.en
        for name, field in spec.form["properties"].items():
            assert set(field["x-label"]) == {"de", "en"}, (spec.service_id, name)
            for value in field.get("enum", []):
                assert set(field["x-options"][value]) == {"de", "en"}, (spec.service_id, name, value)
            for kind, text in field.get("x-messages", {}).items():
                assert set(text) == {"de", "en"}, (spec.service_id, name, kind)


def test_messages_come_in_the_citizens_language_and_from_the_form_where_it_has_them() -> None:
    body = valid_body()
    del body["form"]["business_name"]
    body["form"]["start_date"] = "01.12.2026"
    german = validate_submission(body, CATALOGUE)
    english = validate_submission(body, CATALOGUE, "en")
    assert isinstance(german, list) and isinstance(english, list)
    by_pointer = {error.pointer: error.detail for error in english}
    own = CATALOGUE.services["99050012104000"].form["properties"]["business_name"].get("x-messages", {})
    if "required" in own:
        assert by_pointer["/form/business_name"] == own["required"]["en"]
    assert by_pointer["/form/start_date"] == "Please enter a date as YYYY-MM-DD."
    assert {error.pointer for error in german} == set(by_pointer)
    assert all(error.detail != by_pointer[error.pointer] for error in german)


def test_an_unknown_service_is_named() -> None:
    body = valid_body() | {"service_id": "99000000000000"}
    result = validate_submission(body, CATALOGUE)
    assert pointers(result) == {"/service_id"}
    assert isinstance(result, list)
    assert result[0].detail == "Diese Leistung gibt es im Katalog nicht."


def test_every_failing_field_is_reported_at_once() -> None:
    body = valid_body()
    del body["applicant"]["family_name"]
    body["applicant"]["email"] = "not-an-address"
    body["applicant"]["birth_date"] = "12.08.1964"
    body["applicant"]["address"]["postal_code"] = "5114"
    body["form"]["employees"] = "three"
    del body["form"]["activity"]
    assert pointers(validate_submission(body, CATALOGUE)) == {
        "/applicant/family_name",
        "/applicant/email",
        "/applicant/birth_date",
        "/applicant/address/postal_code",
        "/form/employees",
        "/form/activity",
    }


def test_unknown_fields_are_refused_not_silently_dropped() -> None:
    body = valid_body()
    body["form"]["favourite_colour"] = "green"
    body["unexpected"] = True
    assert pointers(validate_submission(body, CATALOGUE)) == {"/form/favourite_colour", "/unexpected"}


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("legal_form", "corporation"),
        ("start_date", "tomorrow"),
        ("start_date", "2026-02-30"),
        ("business_name", ""),
        ("business_name", "Web\u200bdesign"),
        ("business_name", "Web\x1b[31mdesign"),
        ("business_name", "<script>alert(1)</script>"),
        ("activity", "Webseiten <img src=x onerror=alert(1)>"),
        ("activity", "Webseiten <!-- versteckt -->"),
        ("employees", -1),
        ("employees", True),
        ("employees", "3"),
    ],
)
def test_form_fields_follow_the_catalogue(field: str, value: object) -> None:
    body = valid_body()
    body["form"][field] = value
    assert pointers(validate_submission(body, CATALOGUE)) == {f"/form/{field}"}


def test_plain_text_may_compare_but_never_tag() -> None:
    body = valid_body()
    body["form"]["activity"] = "Webseiten für < 5 Kunden & Vereine, Preis > 0"
    assert isinstance(validate_submission(body, CATALOGUE), ValidSubmission)
    body["applicant"]["family_name"] = "Muster<b>mann"
    assert pointers(validate_submission(body, CATALOGUE)) == {"/applicant/family_name"}


def test_a_body_that_is_not_an_object_is_an_error_at_the_root() -> None:
    assert pointers(validate_submission(["not", "an", "object"], CATALOGUE)) == {""}


def test_a_missing_identity_token_is_an_error() -> None:
    body = valid_body()
    del body["identity_token"]
    assert pointers(validate_submission(body, CATALOGUE)) == {"/identity_token"}


def test_a_service_that_needs_no_identity_is_valid_without_an_assertion() -> None:
    rent_check = next(s for s in CATALOGUE.services.values() if s.minimum_level_of_assurance == "none")
    body = {
        "service_id": rent_check.service_id,
        "applicant": copy.deepcopy(ERIKA),
        "form": {"current_rent": 700, "requested_rent": 770, "living_space": 62, "letter_date": "2026-11-02"},
        "attachments": [LETTER],
    }
    assert isinstance(validate_submission(body, CATALOGUE), ValidSubmission)


LETTER = {
    "attachment_id": "6f1c1a43-61a4-4b8e-9a41-2d0f6f1f3c55",
    "sha256": "ab" * 32,
    "media_type": "application/pdf",
    "size": 1000,
}


def test_the_attachments_are_checked_against_the_services_rules() -> None:
    rent_check = next(s for s in CATALOGUE.services.values() if s.minimum_level_of_assurance == "none")
    body: dict[str, Any] = {
        "service_id": rent_check.service_id,
        "applicant": copy.deepcopy(ERIKA),
        "form": {"current_rent": 700, "requested_rent": 770, "living_space": 62, "letter_date": "2026-11-02"},
    }
    assert pointers(validate_submission(body, CATALOGUE)) == {"/attachments"}  # one is required
    body["attachments"] = [LETTER, LETTER]
    assert pointers(validate_submission(body, CATALOGUE)) == {"/attachments/1"}  # the same file twice
    body["attachments"] = [LETTER | {"media_type": "image/gif"}]
    assert pointers(validate_submission(body, CATALOGUE)) == {"/attachments/0/media_type"}


def test_a_service_that_needs_identity_names_the_missing_assertion() -> None:
    body = valid_body()
    del body["identity_token"]
    assert pointers(validate_submission(body, CATALOGUE)) == {"/identity_token"}
    body["identity_token"] = None
    assert pointers(validate_submission(body, CATALOGUE)) == {"/identity_token"}


def test_a_postcode_that_is_not_five_digits_is_told_so() -> None:
    body = valid_body()
    body["applicant"]["address"]["postal_code"] = "5114"
    result = validate_submission(body, CATALOGUE, "en")
    assert isinstance(result, list) and [error.pointer for error in result] == ["/applicant/address/postal_code"]
    assert "5 digits" in result[0].detail
