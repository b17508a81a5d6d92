"""The ratings' port, faked as adapters.mongo_ratings keeps them: one per submission, the first kept."""

from datetime import datetime
from uuid import UUID

from civicflow.intake.domain.outbox import OutgoingEvent
from civicflow.intake.domain.rating import Rating


class FakeRatings:
    def __init__(self) -> None:
        self.kept: dict[UUID, Rating] = {}
        self.outbox: dict[UUID, OutgoingEvent] = {}
        self.failing = False

    async def add(self, submission_id: UUID, rating: Rating, outgoing: OutgoingEvent) -> bool:
        if self.failing:
            raise ConnectionError("store down")
        if submission_id in self.kept:
            return False
        self.kept[submission_id] = rating
        self.outbox[submission_id] = outgoing
        return True

    async def get(self, submission_id: UUID) -> Rating | None:
        return self.kept.get(submission_id)

    async def commented(self, service_id: str, since: datetime, until: datetime, limit: int) -> list[Rating]:
        found = [
            kept
            for kept in self.kept.values()
            if kept.service_id == service_id and kept.comment and since <= kept.at < until
        ]
        return sorted(found, key=lambda kept: kept.at, reverse=True)[:limit]
