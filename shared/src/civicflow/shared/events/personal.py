"""The personal data internal topics carry, each field sealed for the services that need it (README, "Security":
what each topic carries, and why). The names are part of what is sealed: a value opens only in its own field of
its own submission."""

from typing import Any, Final
from uuid import UUID, uuid5

from pydantic import EmailStr

from civicflow.shared.events.common import Applicant
from civicflow.shared.events.profile import ContactPreferences, Profile
from civicflow.shared.security.keys import KeyName
from civicflow.shared.security.sealing import SealedField

# Names, birth date, address and e-mail: identity checks them against the identity assertion, routing finds the
# municipality from the postal code and hands the application to the agency.
APPLICANT: Final = SealedField[Applicant]("applicant", KeyName.APPLICANT, Applicant)
# The answers to the service's form: only the agency needs them; routing hands them on.
FORM: Final = SealedField[dict[str, Any]]("form", KeyName.APPLICANT, dict[str, Any])
# The identity assertion: identity verifies it, and it goes no further.
IDENTITY_TOKEN: Final = SealedField[str]("identity_token", KeyName.IDENTITY_TOKEN, str)
# Where notify tells the citizen about each step.
CONTACT_ADDRESS: Final = SealedField[str]("recipient.address", KeyName.CONTACT, EmailStr)
# How the message greets them, and the link to their application's status page (a bearer secret): notify alone.
CONTACT_NAME: Final = SealedField[str]("recipient.name", KeyName.CONTACT, str)
STATUS_LINK: Final = SealedField[str]("recipient.status_link", KeyName.CONTACT, str)
# Where the citizen chose to hear by SMS (an E.164 number) or in their portal mailbox: notify alone.
CONTACT_PHONE: Final = SealedField[str]("recipient.phone", KeyName.CONTACT, str)
CONTACT_MAILBOX: Final = SealedField[str]("recipient.mailbox", KeyName.CONTACT, str)
# The status page's rating page (the same bearer token), which the message closing the case links: notify alone.
RATING_LINK: Final = SealedField[str]("recipient.rating_link", KeyName.CONTACT, str)
# The once-only profile and the contact preferences the citizen changed: identity and intake alone.
PROFILE: Final = SealedField[Profile]("profile", KeyName.PROFILE, Profile)
CONTACT_PREFERENCES: Final = SealedField[ContactPreferences]("contact", KeyName.PROFILE, ContactPreferences)

# The agency's reason for its decision, in words for the citizen; the citizen's answer when the agency asked for
# information. Routing, intake and notify (README, "Security").
DECISION_REASON: Final = SealedField[str]("decision.reason", KeyName.CORRESPONDENCE, str)
INFORMATION_ANSWER: Final = SealedField[str]("information.answer", KeyName.CORRESPONDENCE, str)

_CITIZEN_NAMESPACE = UUID("0b3c3c1e-6f2e-5d0a-9a43-1f5b1d7e9c21")


def of_citizen(citizen_id: str) -> UUID:
    """What a citizen's profile is sealed to, as a submission's fields are to its submission id: a value sealed for
    one citizen opens for no other."""
    return uuid5(_CITIZEN_NAMESPACE, citizen_id)
