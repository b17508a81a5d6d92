"""Intake's side of the once-only profile: the copy of each citizen's profile that identity publishes (events.profile),
shown to the signed-in citizen, used to prefill their forms, changed and erased at their request.

Identity keeps the profile and verifies what goes into it; intake keeps a copy, keyed by the pseudonymous citizen id
the sign-in gives (domain.sign_in.SignedIn.citizen_id), and the link from that id to the citizen's submissions (from
each IdentityVerified), so the citizen can list them. Contact preferences are changed by publishing the change for
identity, which publishes the new profile. An erasure is published for every service first, then intake drops its
copy, the links, and the personal data of the citizen's submissions (their status timelines stay: no personal data).

INTERFACE (first draft, to be implemented): the routes and the pages call only what is declared here."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol
from uuid import UUID

from civicflow.intake.domain.catalogue import ServiceSpec
from civicflow.intake.domain.profile import ProfileValue
from civicflow.shared.events import ContactPreferences, Profile


class ProfileCopies(Protocol):
    """Intake's store of the profiles identity published, of the citizens' submissions, and of erasures."""

    async def save(self, citizen_id: str, profile: Profile, saved_at: datetime) -> None:
        """Keep this version unless a later one is kept, or the citizen erased their profile after `saved_at`."""

    async def get(self, citizen_id: str) -> Profile | None: ...

    async def link(self, citizen_id: str, submission_id: UUID, at: datetime) -> None:
        """Remember that this citizen filed this submission (idempotent)."""

    async def submissions_of(self, citizen_id: str) -> list[UUID]:
        """Newest first."""

    async def erase(self, citizen_id: str, at: datetime) -> list[UUID]:
        """Drop the copy and the links, remember the erasure (so an older version arriving later is not kept), and
        return the submissions that were linked."""


@dataclass(frozen=True)
class OwnSubmission:
    """One of the citizen's applications, as their profile lists it."""

    submission_id: UUID
    service_id: str
    received_at: datetime
    status: str  # the furthest step (domain.submission.SubmissionRecord.status)


class CitizenProfiles(Protocol):
    """What the profile's routes (entrypoints.profile_http) and pages (web.profile) use."""

    async def profile(self, citizen_id: str) -> Profile | None: ...

    async def values(self, citizen_id: str) -> list[ProfileValue]:
        """Every value of the profile with its source and time; empty without a profile."""

    async def prefill(self, citizen_id: str, spec: ServiceSpec) -> list[ProfileValue]:
        """The values for exactly the fields the service's form asks for."""

    async def change_contact(self, citizen_id: str, contact: ContactPreferences) -> None:
        """Publish the change for identity (which publishes the new profile); raises when it could not be published."""

    async def submissions(self, citizen_id: str) -> Sequence[OwnSubmission]: ...

    async def erase(self, citizen_id: str) -> None:
        """Publish the erasure for every service, then erase intake's part; raises when it could not be published
        (then nothing was erased, and the citizen may try again)."""
