"""The once-only profile: what a citizen allowed us to keep so they never type it again, and the events that keep
it, change it and erase it.

Identity keeps the profile (it alone verifies who the citizen is) and publishes each new version; intake keeps a
copy to show the signed-in citizen and to prefill their forms. Intake publishes what the citizen asks on the page:
new contact preferences, and the erasure, which every service that holds something of the citizen acts on.
Every event is keyed by the pseudonymous citizen id; the profile itself travels sealed (events.personal.PROFILE)."""

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, EmailStr

from civicflow.shared.events.base import CitizenEvent
from civicflow.shared.events.common import Address, ChannelChoice, IsoDate, Language, Name
from civicflow.shared.identity_providers import LevelOfAssurance
from civicflow.shared.security.sealing import Sealed


class VerifiedAttributes(BaseModel):
    """As the identity provider asserted them, at a level of assurance, when identity verified the token."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    given_name: Name
    family_name: Name
    birth_date: IsoDate
    level_of_assurance: LevelOfAssurance
    provider: str  # the provider's display name, as the citizen knows it ("BundID")
    verified_at: datetime


class ContactPreferences(ChannelChoice):
    """The e-mail address (the fallback of every channel), the language, and the channel with its address."""

    email: EmailStr
    language: Language = "de"

    def channel_choice(self) -> ChannelChoice:
        return ChannelChoice(channel=self.channel, phone=self.phone, mailbox=self.mailbox)


# Where a value the citizen gave came from: typed into an application, or changed on the profile page.
GivenIn = Literal["application", "profile"]


class Profile(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    verified: VerifiedAttributes
    address: Address
    address_given_at: datetime  # in an application
    contact: ContactPreferences
    contact_given_in: GivenIn
    contact_given_at: datetime


class ProfileSaved(CitizenEvent):
    """Identity kept a new version of the citizen's profile (sealed, events.personal.PROFILE)."""

    profile: Sealed


class ContactPreferencesChanged(CitizenEvent):
    """The signed-in citizen changed their contact preferences on the page (sealed, events.personal.CONTACT)."""

    contact: Sealed


class ErasureRequested(CitizenEvent):
    """The signed-in citizen erased their profile: every service drops or anonymises what it holds of them, beyond
    what the law requires it to keep (README, "The once-only profile")."""
