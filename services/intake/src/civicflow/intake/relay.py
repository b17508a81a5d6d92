"""The outbox relay: publishes the events intake stored with its submissions, and marks them sent.

Each accepted submission is handed to the relay at once (the fast path). The relay looks in the store for
pending events only when it may have missed some: when it starts (a previous run may have stopped before
sending), and once it has caught up after dropping handoffs (its queue was full while Kafka was down). Such a
look scans the collection on FerretDB, so it is kept off the hot path. While Kafka is down the relay retries
with a growing pause; the citizen's 202 never waited for Kafka. A copy published twice (a crash between the
publish and the mark) carries the same event id, which every consumer de-duplicates.
"""

import asyncio
import logging
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Protocol
from uuid import UUID

from civicflow.intake.domain.outbox import OutgoingEvent
from civicflow.shared.messaging.failures import Disposition, classify, describe

logger = logging.getLogger(__name__)

BATCH = 500
# Handoffs kept in memory; beyond this they wait in the store for the next look (a long Kafka outage).
QUEUE_LIMIT = 10_000
LONGEST_PAUSE_SECONDS = 15.0


class Outbox(Protocol):
    async def prepare(self) -> None: ...

    async def pending(self, limit: int, older_than: datetime) -> list[OutgoingEvent]: ...

    async def mark_sent(self, submission_ids: Sequence[UUID]) -> None: ...

    async def mark_undeliverable(self, submission_id: UUID, reason: str) -> None: ...


class RecordPublisher(Protocol):
    async def publish_record(self, topic: str, value: bytes, key: str, headers: dict[str, str]) -> None: ...


class OutboxRelay:
    def __init__(self, outbox: Outbox, publisher: RecordPublisher) -> None:
        self._outbox, self._publisher = outbox, publisher
        self._queue: asyncio.Queue[OutgoingEvent] = asyncio.Queue(QUEUE_LIMIT)
        self._queued: set[UUID] = set()
        self._missed_some = True
        self._sending = 0

    @property
    def backlog(self) -> int:
        """Events to publish that the relay holds: its queue and the batch it is sending (until each is published
        and marked sent). While its queue overflowed (a long Kafka outage) more wait in the store, beyond this."""
        return self._queue.qsize() + self._sending

    def handoff(self, outgoing: OutgoingEvent) -> None:
        try:
            self._queue.put_nowait(outgoing)
        except asyncio.QueueFull:
            self._missed_some = True  # it is stored: the next look finds it there
        else:
            self._queued.add(outgoing.submission_id)

    async def run(self) -> None:
        self._missed_some = True  # a previous run may have stopped between a publish and its mark
        await self._outbox.prepare()
        while True:
            await self._send(await self._next_batch())

    async def _next_batch(self) -> list[OutgoingEvent]:
        if self._missed_some and self._queue.empty():
            found = await self._look(older_than=datetime.now(UTC))
            self._missed_some = len(found) == BATCH
            if found:
                return found
        batch = [await self._queue.get()]
        while len(batch) < BATCH and not self._queue.empty():
            batch.append(self._queue.get_nowait())
        self._queued.difference_update(item.submission_id for item in batch)
        return batch

    async def _look(self, older_than: datetime) -> list[OutgoingEvent]:
        return [
            item for item in await self._outbox.pending(BATCH, older_than) if item.submission_id not in self._queued
        ]

    async def _send(self, batch: list[OutgoingEvent]) -> None:
        pause = 0.5
        while batch:
            self._sending = len(batch)
            outcomes = await asyncio.gather(*(self._publish(item) for item in batch), return_exceptions=True)
            sent = [item for item, outcome in zip(batch, outcomes, strict=True) if outcome is None]
            failed = [(item, outcome) for item, outcome in zip(batch, outcomes, strict=True) if outcome is not None]
            if sent:
                await self._outbox.mark_sent([item.submission_id for item in sent])
            batch = []
            for item, error in failed:
                if isinstance(error, Exception) and classify(error) is Disposition.PERMANENT:
                    logger.error("submission %s cannot be published: %s", item.submission_id, describe(error))
                    await self._outbox.mark_undeliverable(item.submission_id, describe(error))
                else:
                    batch.append(item)
            if batch:
                logger.warning("%d events not published yet (%s); retrying", len(batch), describe(failed[0][1]))
                await asyncio.sleep(pause)
                pause = min(pause * 2, LONGEST_PAUSE_SECONDS)
        self._sending = 0

    async def _publish(self, item: OutgoingEvent) -> None:
        await self._publisher.publish_record(item.topic, item.value, item.key, item.headers)
