"""The outbox relay's backlog (civicflow_outbox_backlog): what it was handed and has not published yet, the batch
it is sending included, until Kafka took it."""

import asyncio
from collections.abc import Sequence
from datetime import datetime
from uuid import UUID, uuid4

from civicflow.intake.domain.outbox import OutgoingEvent
from civicflow.intake.relay import OutboxRelay


class EmptyOutbox:
    """An outbox whose store holds nothing older than what is handed off; it records what was marked sent."""

    def __init__(self) -> None:
        self.sent: list[UUID] = []

    async def prepare(self) -> None:
        pass

    async def pending(self, limit: int, older_than: datetime) -> list[OutgoingEvent]:
        return []

    async def mark_sent(self, submission_ids: Sequence[UUID]) -> None:
        self.sent.extend(submission_ids)

    async def mark_undeliverable(self, submission_id: UUID, reason: str) -> None:
        raise AssertionError("nothing here is undeliverable")


class HeldPublisher:
    """Kafka that takes each record only once `release` is set; `asked` once the first was offered."""

    def __init__(self) -> None:
        self.asked, self.release = asyncio.Event(), asyncio.Event()

    async def publish_record(self, topic: str, value: bytes, key: str, headers: dict[str, str]) -> None:
        self.asked.set()
        await self.release.wait()


def outgoing() -> OutgoingEvent:
    return OutgoingEvent(uuid4(), "civicflow.submission.received.v1", "key", b"{}")


async def test_the_backlog_counts_what_is_queued_and_being_sent_until_it_is_published() -> None:
    outbox, kafka = EmptyOutbox(), HeldPublisher()
    relay = OutboxRelay(outbox, kafka)
    for _ in range(3):
        relay.handoff(outgoing())
    assert relay.backlog == 3
    running = asyncio.create_task(relay.run())
    try:
        await asyncio.wait_for(kafka.asked.wait(), 5)
        assert relay.backlog == 3  # taken from the queue, not yet published
        kafka.release.set()
        async with asyncio.timeout(5):
            while len(outbox.sent) < 3:
                await asyncio.sleep(0.01)
        assert relay.backlog == 0
    finally:
        running.cancel()
        await asyncio.gather(running, return_exceptions=True)
