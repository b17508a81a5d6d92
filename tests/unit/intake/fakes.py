from uuid import UUID

from civicflow.intake.domain.submission import SubmissionRecord, TimelineEntry


class FakeSubmissions:
    def __init__(self) -> None:
        self.records: dict[UUID, SubmissionRecord] = {}

    async def add(self, record: SubmissionRecord) -> None:
        self.records[record.submission_id] = record

    async def remove(self, submission_id: UUID) -> None:
        self.records.pop(submission_id, None)

    async def get(self, submission_id: UUID) -> SubmissionRecord | None:
        return self.records.get(submission_id)

    async def record_step(self, submission_id: UUID, entry: TimelineEntry) -> bool:
        record = self.records.get(submission_id)
        if record is None:
            return False
        if all(existing.event_id != entry.event_id for existing in record.timeline):
            self.records[submission_id] = record.model_copy(update={"timeline": (*record.timeline, entry)})
        return True
