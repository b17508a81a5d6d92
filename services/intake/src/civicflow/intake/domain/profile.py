"""A profile as the citizen sees it: each value with where it came from and when, and which of them prefill a
service's form. Verified values (names and birth date, as the identity provider asserted them) are shown as such
and are never editable; the others the citizen gave in an application or changed on the profile page.

INTERFACE (first draft, to be implemented)."""

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from civicflow.intake.domain.catalogue import ServiceSpec
from civicflow.shared.events import Profile

Source = Literal["identity_provider", "application", "profile"]


@dataclass(frozen=True)
class ProfileValue:
    # The form's input name ("applicant.given_name", "applicant.address.postal_code"), or "contact.language" and
    # "contact.channel" for the preferences no form asks for.
    name: str
    value: str  # as the form's input takes it (a date as YYYY-MM-DD)
    verified: bool
    source: Source
    source_name: str  # the identity provider's display name for a verified value, else ""
    at: datetime  # verified at, or given at


def profile_values(profile: Profile) -> list[ProfileValue]:
    raise NotImplementedError


def prefill(profile: Profile, spec: ServiceSpec) -> list[ProfileValue]:
    raise NotImplementedError
