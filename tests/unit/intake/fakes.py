from collections.abc import Sequence
from uuid import UUID

from civicflow.intake.domain.idempotency import Claim
from civicflow.intake.domain.outbox import OutgoingEvent
from civicflow.intake.domain.submission import SubmissionRecord, TimelineEntry


class FakeSubmissions:
    def __init__(self) -> None:
        self.records: dict[UUID, SubmissionRecord] = {}
        self.outbox: dict[UUID, OutgoingEvent] = {}
        self.claims: dict[str, Claim] = {}
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


class FakeRelay:
    def __init__(self) -> None:
        self.handed_off: list[OutgoingEvent] = []

    def handoff(self, outgoing: OutgoingEvent) -> None:
        self.handed_off.append(outgoing)
