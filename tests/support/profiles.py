"""A once-only profile as identity publishes it, for the tests of both sides."""

from datetime import UTC, date, datetime

from civicflow.shared.events import Address, ContactPreferences, Profile
from civicflow.shared.events.profile import VerifiedAttributes

CITIZEN_ID = "a" * 32
OTHER_CITIZEN_ID = "b" * 32
VERIFIED_AT = datetime(2026, 11, 2, 9, 30, tzinfo=UTC)
ADDRESS_GIVEN_AT = datetime(2026, 11, 2, 9, 31, tzinfo=UTC)
CONTACT_GIVEN_AT = datetime(2026, 11, 20, 17, 5, tzinfo=UTC)


def erika_profile(email: str = "erika@example.org") -> Profile:
    return Profile(
        verified=VerifiedAttributes(
            given_name="Erika",
            family_name="Mustermann",
            birth_date=date(1964, 8, 12),
            level_of_assurance="substantial",
            provider="BundID",
            verified_at=VERIFIED_AT,
        ),
        address=Address(street="Heidestraße 17", postal_code="51147", city="Köln"),
        address_given_at=ADDRESS_GIVEN_AT,
        contact=ContactPreferences(email=email, language="en", channel="email"),
        contact_given_in="profile",
        contact_given_at=CONTACT_GIVEN_AT,
    )
