"""A profile as the citizen sees it: every value with its source and time, written as the form's inputs take it,
and the prefill of exactly the inputs a service's form has."""

from civicflow.intake.domain.catalogue import Catalogue
from civicflow.intake.domain.profile import APPLICANT_INPUTS, prefill, profile_values
from civicflow.intake.web.fields import applicant_inputs
from tests.support.profiles import ADDRESS_GIVEN_AT, CONTACT_GIVEN_AT, VERIFIED_AT, erika_profile


def test_every_value_names_its_source_and_time() -> None:
    values = {value.name: value for value in profile_values(erika_profile())}
    assert {name: value.value for name, value in values.items()} == {
        "applicant.given_name": "Erika",
        "applicant.family_name": "Mustermann",
        "applicant.birth_date": "12.08.1964",  # as the date input takes it (day.month.year)
        "applicant.email": "erika@example.org",
        "applicant.address.street": "Heidestraße 17",
        "applicant.address.postal_code": "51147",
        "applicant.address.city": "Köln",
        "contact.language": "en",
        "contact.channel": "email",
    }
    for name in ("applicant.given_name", "applicant.family_name", "applicant.birth_date"):
        assert values[name].verified and values[name].source == "identity_provider"
        assert (values[name].source_name, values[name].at) == ("BundID", VERIFIED_AT)
    for name in ("applicant.address.street", "applicant.address.postal_code", "applicant.address.city"):
        assert not values[name].verified and values[name].source == "application"
        assert (values[name].source_name, values[name].at) == ("", ADDRESS_GIVEN_AT)
    for name in ("applicant.email", "contact.language", "contact.channel"):
        assert not values[name].verified and (values[name].source, values[name].at) == ("profile", CONTACT_GIVEN_AT)


def test_a_service_is_prefilled_with_exactly_the_inputs_of_its_form() -> None:
    profile = erika_profile()
    for spec in Catalogue.bundled().services.values():
        names = [value.name for value in prefill(profile, spec)]
        assert names == list(APPLICANT_INPUTS)  # no form asks for the contact preferences


def test_the_applicant_inputs_are_those_the_page_shows() -> None:
    assert tuple(item.name for item in applicant_inputs("de")) == APPLICANT_INPUTS
