"""The once-only profile as identity keeps it (events.profile): built from a verified submission the citizen allowed
us to keep it from, and changed by the contact preferences the citizen sets on the page.

The verified attributes are the provider's, never what the citizen typed: the typed names matched them (domain
.matching), and may be written another way ("Mueller" for "Müller"). The address and the contact preferences are
what the citizen gave, with where and when they gave them."""

from datetime import datetime
from uuid import UUID, uuid5

from pydantic import ValidationError

from civicflow.identity.domain.assertion import Verified
from civicflow.shared.events import Applicant, ChannelChoice, Recipient
from civicflow.shared.events.profile import ContactPreferences, Profile, VerifiedAttributes
from civicflow.shared.identity_providers import IdentityProvider

# What a ProfileSaved's id is derived from its cause with (not a Step of a submission's timeline).
_SAVED = "profile-saved"


def profile_of(
    verified: Verified,
    provider: IdentityProvider,
    applicant: Applicant,
    recipient: Recipient,
    given_at: datetime,
    now: datetime,
    chosen: ChannelChoice | None = None,
) -> Profile | None:
    """The profile a verified submission filed at `given_at` gives, or None when what the provider asserted does
    not fit a profile (a name too long once its umlauts are written out, say): the submission goes on without.

    The e-mail address and the language are the submission's; the channel is the one the citizen `chosen` on the
    profile page, kept (identity cannot open a submission's phone number or mailbox: they are sealed for notify);
    e-mail for a new profile."""
    try:
        attributes = VerifiedAttributes(
            given_name=verified.given_name,
            family_name=verified.family_name,
            birth_date=verified.birth_date,
            level_of_assurance=verified.level_of_assurance,
            provider=provider.title_in(recipient.language),
            verified_at=now,
        )
    except ValidationError:
        return None
    kept = (chosen or ChannelChoice()).model_dump()
    contact = ContactPreferences(email=applicant.email, language=recipient.language, **kept)
    return Profile(
        verified=attributes,
        address=applicant.address,
        address_given_at=given_at,
        contact=contact,
        contact_given_in="application",
        contact_given_at=given_at,
    )


def with_contact(profile: Profile, contact: ContactPreferences, given_at: datetime) -> Profile:
    """The profile with the contact preferences the citizen set on the profile page at `given_at`."""
    return profile.model_copy(update={"contact": contact, "contact_given_in": "profile", "contact_given_at": given_at})


def saved_event_id(cause: UUID) -> UUID:
    """The id of the ProfileSaved that `cause` (a SubmissionReceived, a ContactPreferencesChanged) leads to: the
    same whenever the cause is handled again, so a redelivery publishes the same event (as derive_event_id)."""
    return uuid5(cause, _SAVED)
