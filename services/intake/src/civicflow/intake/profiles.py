"""Intake's side of the once-only profile: the copy of each citizen's profile that identity publishes (events.profile),
shown to the signed-in citizen, used to prefill their forms, changed and erased at their request.

Identity keeps the profile and verifies what goes into it; intake keeps a copy, keyed by the pseudonymous citizen id
the sign-in gives (domain.sign_in.SignedIn.citizen_id), and the link from that id to the citizen's submissions (from
each IdentityVerified), so the citizen can list them. Contact preferences are changed by publishing the change for
identity, which publishes the new profile. An erasure is published for every service first, then intake drops its
copy, the links, and the personal data of the citizen's submissions (their status timelines stay: no personal data)."""

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol
from uuid import UUID

from civicflow.intake.domain.catalogue import ServiceSpec
from civicflow.intake.domain.profile import ProfileValue, prefill, profile_values
from civicflow.intake.handlers import Submissions
from civicflow.shared import topics
from civicflow.shared.events import (
    ContactPreferences,
    ContactPreferencesChanged,
    ErasureRequested,
    IdentityVerified,
    Profile,
    ProfileSaved,
    personal,
)
from civicflow.shared.kafka import EventPublisher
from civicflow.shared.security.sealing import Sealer


class NotPublished(Exception):
    """What the citizen asked could not be published now; nothing was changed or erased, and they may try again."""


@dataclass(frozen=True)
class SubmissionLink:
    """This citizen filed this submission (as identity verified it)."""

    citizen_id: str
    submission_id: UUID
    at: datetime


class ProfileCopies(Protocol):
    """Intake's store of the profiles identity published, of the citizens' submissions, and of erasures."""

    async def save(self, citizen_id: str, profile: Profile, saved_at: datetime) -> None:
        """Keep this version unless a later one is kept, or the citizen erased their profile after `saved_at`."""

    async def get(self, citizen_id: str) -> Profile | None: ...

    async def link(self, links: Sequence[SubmissionLink]) -> list[UUID]:
        """Remember that each citizen filed each submission (idempotent). Returns the submissions filed before their
        citizen erased the profile (verified only after it): not kept linked, they are to be anonymised now."""

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
        """Publish the change for identity (which publishes the new profile); raises NotPublished when it could not
        be published."""

    async def submissions(self, citizen_id: str) -> Sequence[OwnSubmission]: ...

    async def erase(self, citizen_id: str) -> None:
        """Publish the erasure for every service, then erase intake's part; raises NotPublished when it could not be
        published (then nothing was erased, and the citizen may try again)."""


@dataclass(frozen=True)
class Profiles:
    """CitizenProfiles on intake's store, its submissions, Kafka and the profile's key."""

    copies: ProfileCopies
    submission_store: Submissions
    publisher: EventPublisher
    sealer: Sealer

    async def profile(self, citizen_id: str) -> Profile | None:
        return await self.copies.get(citizen_id)

    async def values(self, citizen_id: str) -> list[ProfileValue]:
        found = await self.copies.get(citizen_id)
        return [] if found is None else profile_values(found)

    async def prefill(self, citizen_id: str, spec: ServiceSpec) -> list[ProfileValue]:
        found = await self.copies.get(citizen_id)
        return [] if found is None else prefill(found, spec)

    async def change_contact(self, citizen_id: str, contact: ContactPreferences) -> None:
        sealed = self.sealer.seal(personal.CONTACT_PREFERENCES, contact, personal.of_citizen(citizen_id))
        event = ContactPreferencesChanged(citizen_id=citizen_id, contact=sealed)
        try:
            await self.publisher.publish(topics.CONTACT_PREFERENCES_CHANGED, event, citizen_id)
        except Exception as error:
            raise NotPublished from error

    async def submissions(self, citizen_id: str) -> Sequence[OwnSubmission]:
        ids = await self.copies.submissions_of(citizen_id)
        records = await asyncio.gather(*(self.submission_store.get(submission_id) for submission_id in ids))
        return [
            OwnSubmission(record.submission_id, record.service_id, record.received_at, record.status)
            for record in records
            if record is not None
        ]

    async def erase(self, citizen_id: str) -> None:
        # Published first: if Kafka refuses it, nothing is erased here either, and the citizen may try again.
        event = ErasureRequested(citizen_id=citizen_id)
        try:
            await self.publisher.publish(topics.ERASURE_REQUESTED, event, citizen_id)
        except Exception as error:
            raise NotPublished from error
        linked = await self.copies.erase(citizen_id, event.occurred_at)
        await self.submission_store.anonymise(linked)


async def keep_published(saved: Sequence[ProfileSaved], copies: ProfileCopies, sealer: Sealer) -> None:
    """Keep each version identity published. One that does not open, or opens to no profile, raises Unsealable:
    permanent for its message (a dead letter)."""
    for event in saved:  # in order: one citizen's versions come on one partition, oldest first
        profile = sealer.open(personal.PROFILE, event.profile, personal.of_citizen(event.citizen_id))
        await copies.save(event.citizen_id, profile, event.occurred_at)


async def link_submissions(
    verified: Sequence[IdentityVerified], copies: ProfileCopies, submissions: Submissions
) -> None:
    """Link each verified submission to its citizen (one without an identity assertion has none); one its citizen
    erased their profile after filing is anonymised as the erasure would have done."""
    links = [
        SubmissionLink(event.citizen_id, event.submission_id, event.received_at)
        for event in verified
        if event.citizen_id is not None
    ]
    erased = await copies.link(links)
    if erased:
        await submissions.anonymise(erased)
