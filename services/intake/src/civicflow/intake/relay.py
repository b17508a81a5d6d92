"""The outbox relay: publishes the events intake stored with its submissions, and marks them sent.

Each accepted submission is handed to the relay at once (the fast path); every few seconds the relay also
looks in the store for events pending for a while (after a restart, or a handoff dropped while Kafka was
down), leaving out those still queued, so the two paths do not publish the same event twice. While Kafka is
down the relay retries with a growing pause; the citizen's 202 never waited for Kafka. A copy published twice
(a crash between the publish and the mark) carries the same event id, which every consumer de-duplicates.
"""

import asyncio
import contextlib
import logging
import time
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Protocol
from uuid import UUID

from civicflow.intake.domain.outbox import OutgoingEvent
from civicflow.shared.messaging.failures import Disposition, classify, describe

logger = logging.getLogger(__name__)

BATCH = 500
# Handoffs kept in memory; beyond this they wait in the store for the next look (a long Kafka outage).
QUEUE_LIMIT = 10_000
LOOK_EVERY_SECONDS = 5.0
# Only events pending for longer than this are taken from the store: younger ones are still on the fast path.
GRACE_SECONDS = 30.0
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
        self._next_look = 0.0

    def handoff(self, outgoing: OutgoingEvent) -> None:
        with contextlib.suppress(asyncio.QueueFull):  # it is stored: a later look finds it there
            self._queue.put_nowait(outgoing)
            self._queued.add(outgoing.submission_id)

    async def run(self) -> None:
        await self._outbox.prepare()
        while left_over := await self._look(older_than=datetime.now(UTC)):  # pending from a previous run
            await self._send(left_over)
        while True:
            await self._send(await self._next_batch())

    async def _next_batch(self) -> list[OutgoingEvent]:
        if time.monotonic() >= self._next_look:
            found = await self._look(older_than=datetime.now(UTC) - timedelta(seconds=GRACE_SECONDS))
            self._next_look = time.monotonic() + (0 if len(found) == BATCH else LOOK_EVERY_SECONDS)
            if found:
                return found
        try:
            batch = [await asyncio.wait_for(self._queue.get(), max(0.0, self._next_look - time.monotonic()))]
        except TimeoutError:
            return []
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

    async def _publish(self, item: OutgoingEvent) -> None:
        await self._publisher.publish_record(item.topic, item.value, item.key, item.headers)
