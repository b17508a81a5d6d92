import asyncio
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from uuid import UUID, uuid4

from civicflow.intake.domain.attachments import AttachmentsNotBindable, CheckedUpload, StoredAttachment
from civicflow.intake.domain.catalogue import ServiceSpec
from civicflow.intake.domain.idempotency import Claim
from civicflow.intake.domain.outbox import OutgoingEvent
from civicflow.intake.domain.profile import ProfileValue
from civicflow.intake.domain.retention import Closing
from civicflow.intake.domain.sign_in import PendingSignIn, SignedIn
from civicflow.intake.domain.submission import SubmissionRecord, TimelineEntry
from civicflow.intake.experience import Experience
from civicflow.intake.profiles import OwnSubmission, SubmissionLink
from civicflow.shared.events import AttachmentRef, ContactPreferences, ExperienceRecorded, Profile
from civicflow.shared.events import Step as ApplicationStep
from civicflow.shared.events.common import Language
from civicflow.shared.events.experience import Device, ExperienceKind
from tests.unit.fakes import FakePublisher

# The letters MongoSubmissions forgets with an application's details: a decision's reason, an answer's text.
LETTERS = {ApplicationStep.DECIDED: "reason", ApplicationStep.INFORMATION_PROVIDED: "answer"}


def without_letter(entry: TimelineEntry) -> TimelineEntry:
    detail = {key: value for key, value in entry.detail.items() if key != LETTERS.get(entry.step)}
    return entry.model_copy(update={"detail": detail})


class FakeSubmissions:
    def __init__(self) -> None:
        self.records: dict[UUID, SubmissionRecord] = {}
        self.outbox: dict[UUID, OutgoingEvent] = {}
        self.claims: dict[str, Claim] = {}
        self.closed: dict[UUID, datetime] = {}
        self.failing = False

    async def add(self, record: SubmissionRecord, outgoing: OutgoingEvent) -> bool:
        if self.failing:
            raise ConnectionError("store down")
        if record.submission_id in self.records:
            return False
        self.records[record.submission_id] = record
        self.outbox[record.submission_id] = outgoing
        return True

    async def claim(self, claim: Claim) -> Claim | None:
        if self.failing:
            raise ConnectionError("store down")
        earlier = self.claims.setdefault(claim.key_id, claim)
        return None if earlier is claim else earlier

    async def get(self, submission_id: UUID) -> SubmissionRecord | None:
        return self.records.get(submission_id)

    async def record_steps(self, entries: Sequence[TimelineEntry]) -> None:
        for entry in entries:
            record = self.records.get(entry.submission_id)
            if record is not None and all(existing.event_id != entry.event_id for existing in record.timeline):
                self.records[entry.submission_id] = record.model_copy(update={"timeline": (*record.timeline, entry)})

    async def anonymise(self, submission_ids: Sequence[UUID]) -> None:
        for submission_id in submission_ids:
            record = self.records.get(submission_id)
            if record is not None:
                timeline = tuple(without_letter(entry) for entry in record.timeline)
                update = {"applicant": {}, "form": {}, "timeline": timeline}
                self.records[submission_id] = record.model_copy(update=update)

    async def note_closed(self, closings: Sequence[Closing]) -> None:
        for closing in closings:
            self.closed.setdefault(closing.submission_id, closing.at)

    async def closed_before(self, moment: datetime, limit: int) -> list[UUID]:
        return [submission_id for submission_id, at in self.closed.items() if at < moment][:limit]

    async def forget_details(self, submission_ids: Sequence[UUID]) -> None:
        await self.anonymise(submission_ids)
        for submission_id in submission_ids:
            del self.closed[submission_id]


class FakeProfileCopies:
    """Intake's copies of the profiles, kept as ProfileCopies promises: newer versions only, none erased since."""

    def __init__(self) -> None:
        self.profiles: dict[str, tuple[Profile, datetime]] = {}
        self.erasures: dict[str, datetime] = {}
        self.links: dict[tuple[str, UUID], datetime] = {}

    async def save(self, citizen_id: str, profile: Profile, saved_at: datetime) -> None:
        kept = self.profiles.get(citizen_id)
        erased = self.erasures.get(citizen_id)
        if (kept is None or kept[1] < saved_at) and (erased is None or erased < saved_at):
            self.profiles[citizen_id] = (profile, saved_at)

    async def get(self, citizen_id: str) -> Profile | None:
        kept = self.profiles.get(citizen_id)
        return None if kept is None else kept[0]

    async def link(self, links: Sequence[SubmissionLink]) -> list[UUID]:
        late = []
        for link in links:
            erased = self.erasures.get(link.citizen_id)
            if erased is not None and link.at <= erased:
                late.append(link.submission_id)
            else:
                self.links.setdefault((link.citizen_id, link.submission_id), link.at)
        return late

    async def submissions_of(self, citizen_id: str) -> list[UUID]:
        own = [(at, submission_id) for (citizen, submission_id), at in self.links.items() if citizen == citizen_id]
        return [submission_id for _, submission_id in sorted(own, key=lambda item: item[0], reverse=True)]

    async def erase(self, citizen_id: str, at: datetime) -> list[UUID]:
        linked = await self.submissions_of(citizen_id)
        self.erasures[citizen_id] = at
        self.profiles.pop(citizen_id, None)
        for submission_id in linked:
            del self.links[(citizen_id, submission_id)]
        return linked


class FakeAttachments:
    """The files' descriptions and their bytes (`data`, which a test may damage), by id."""

    def __init__(self) -> None:
        self.stored: dict[UUID, StoredAttachment] = {}
        self.data: dict[UUID, bytes] = {}

    async def put(self, service_id: str, upload: CheckedUpload) -> AttachmentRef:
        ref = AttachmentRef(attachment_id=uuid4(), sha256=upload.sha256, media_type=upload.media_type, size=upload.size)
        self.stored[ref.attachment_id] = StoredAttachment(ref, service_id, upload.filename, datetime.now(UTC))
        self.data[ref.attachment_id] = upload.data
        return ref

    async def open(self, attachment_id: UUID) -> bytes | None:
        return self.data.get(attachment_id)

    async def find(self, attachment_ids: Sequence[UUID]) -> dict[UUID, StoredAttachment]:
        return {key: self.stored[key] for key in attachment_ids if key in self.stored}

    async def bind(self, attachment_ids: Sequence[UUID], submission_id: UUID) -> None:
        taken = [key for key in attachment_ids if self.stored[key].submission_id not in (None, submission_id)]
        if taken:
            raise AttachmentsNotBindable(taken)
        for key in attachment_ids:
            self.stored[key] = replace(self.stored[key], submission_id=submission_id)


@dataclass(frozen=True)
class Step:
    kind: str
    service_id: str
    field: str | None


class FakeRecorder:
    def __init__(self) -> None:
        self.steps: list[Step] = []

    async def record(
        self,
        kind: ExperienceKind,
        service_id: str,
        journey_id: UUID,
        language: Language,
        device: Device,
        field: str | None = None,
    ) -> None:
        self.steps.append(Step(kind, service_id, field))


class FakeSignIns:
    def __init__(self) -> None:
        self.pending: dict[str, PendingSignIn] = {}
        self.sessions: dict[str, SignedIn] = {}

    async def begin(self, pending: PendingSignIn) -> None:
        self.pending[pending.state] = pending

    async def take(self, state: str, now: datetime) -> PendingSignIn | None:
        return self.pending.pop(state, None)

    async def start(self, token: str, signed_in: SignedIn) -> None:
        self.sessions[token] = signed_in

    async def get(self, token: str, now: datetime) -> SignedIn | None:
        return self.sessions.get(token)

    async def end(self, token: str) -> None:
        self.sessions.pop(token, None)


class FakeRelay:
    def __init__(self) -> None:
        self.handed_off: list[OutgoingEvent] = []

    def handoff(self, outgoing: OutgoingEvent) -> None:
        self.handed_off.append(outgoing)


async def published(experience: Experience, publisher: FakePublisher, count: int) -> list[ExperienceRecorded]:
    """Runs the recorder's background job until `count` steps are published or dropped, then stops it; the steps
    published."""
    job = asyncio.create_task(experience.run())
    try:
        async with asyncio.timeout(5):
            while len(publisher.published) + experience.dropped < count:
                await asyncio.sleep(0.01)
    finally:
        job.cancel()
    return [event for _, event, _ in publisher.published if isinstance(event, ExperienceRecorded)]


class NoProfiles:
    """CitizenProfiles for a citizen who never kept a profile: nothing to show or fill in."""

    async def profile(self, citizen_id: str) -> Profile | None:
        return None

    async def values(self, citizen_id: str) -> list[ProfileValue]:
        return []

    async def prefill(self, citizen_id: str, spec: ServiceSpec) -> list[ProfileValue]:
        return []

    async def change_contact(self, citizen_id: str, contact: ContactPreferences) -> None:
        raise AssertionError("no profile to change")

    async def submissions(self, citizen_id: str) -> Sequence[OwnSubmission]:
        return []

    async def erase(self, citizen_id: str) -> None:
        raise AssertionError("no profile to erase")
