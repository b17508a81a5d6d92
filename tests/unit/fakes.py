"""Hand-written fakes for the ports, for unit tests only (the real adapters are tested in integration/)."""

from uuid import UUID

from pydantic import BaseModel


class FakePublisher:
    def __init__(self, fail: bool = False) -> None:
        self.published: list[tuple[str, BaseModel, str]] = []
        self.fail = fail

    async def publish(self, topic: str, event: BaseModel, key: str) -> None:
        if self.fail:
            raise ConnectionError("kafka unavailable")
        self.published.append((topic, event, key))

    def topics(self) -> list[str]:
        return [topic for topic, _, _ in self.published]


class FakeProcessedEvents:
    def __init__(self) -> None:
        self.ids: set[UUID] = set()

    async def contains(self, event_id: UUID) -> bool:
        return event_id in self.ids

    async def add(self, event_id: UUID) -> None:
        self.ids.add(event_id)
