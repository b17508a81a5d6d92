"""A profile as the citizen sees it: each value with where it came from and when, and which of them prefill a
service's form. Verified values (names and birth date, as the identity provider asserted them) are shown as such
and are never editable; the others the citizen gave in an application or changed on the profile page."""

from dataclasses import dataclass
from datetime import datetime
from typing import Final, Literal

from civicflow.intake.domain.catalogue import ServiceSpec
from civicflow.shared.events import Profile

Source = Literal["identity_provider", "application", "profile"]

# The applicant block every service's form begins with, by input name (web.fields names the same inputs).
APPLICANT_INPUTS: Final = (
    "applicant.given_name",
    "applicant.family_name",
    "applicant.birth_date",
    "applicant.email",
    "applicant.address.street",
    "applicant.address.postal_code",
    "applicant.address.city",
)
# Dates are typed as day.month.year (web.fields, after the GOV.UK Design System's advice).
INPUT_DATE = "%d.%m.%Y"


@dataclass(frozen=True)
class ProfileValue:
    # The form's input name ("applicant.given_name", "applicant.address.postal_code"), or "contact.language",
    # "contact.channel", "contact.phone" and "contact.mailbox" for the preferences no form asks for.
    name: str
    value: str  # as the form's input takes it (a date as DD.MM.YYYY)
    verified: bool
    source: Source
    source_name: str  # the identity provider's display name for a verified value, else ""
    at: datetime  # verified at, or given at


def profile_values(profile: Profile) -> list[ProfileValue]:
    """Every value of the profile: the verified ones first, then the address, then the contact preferences."""
    verified, address, contact = profile.verified, profile.address, profile.contact

    def proven(name: str, value: str) -> ProfileValue:
        return ProfileValue(name, value, True, "identity_provider", verified.provider, verified.verified_at)

    def given(name: str, value: str, source: Source, at: datetime) -> ProfileValue:
        return ProfileValue(name, value, False, source, "", at)

    return [
        proven("applicant.given_name", verified.given_name),
        proven("applicant.family_name", verified.family_name),
        proven("applicant.birth_date", verified.birth_date.strftime(INPUT_DATE)),
        given("applicant.email", str(contact.email), profile.contact_given_in, profile.contact_given_at),
        given("applicant.address.street", address.street, "application", profile.address_given_at),
        given("applicant.address.postal_code", address.postal_code, "application", profile.address_given_at),
        given("applicant.address.city", address.city, "application", profile.address_given_at),
        given("contact.language", contact.language, profile.contact_given_in, profile.contact_given_at),
        given("contact.channel", contact.channel, profile.contact_given_in, profile.contact_given_at),
        *(
            given(f"contact.{name}", value, profile.contact_given_in, profile.contact_given_at)
            for name, value in (("phone", contact.phone), ("mailbox", contact.mailbox))
            if value is not None
        ),
    ]


def form_inputs(spec: ServiceSpec) -> frozenset[str]:
    """The names of every input of the service's form: the applicant block and the service's own fields."""
    return frozenset((*APPLICANT_INPUTS, *(f"form.{name}" for name in spec.form.get("properties", {}))))


def prefill(profile: Profile, spec: ServiceSpec) -> list[ProfileValue]:
    """The profile's values for exactly the inputs the service's form has, nothing it does not ask for."""
    asked = form_inputs(spec)
    return [value for value in profile_values(profile) if value.name in asked]
