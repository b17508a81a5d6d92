"""The recorder of experience events (events.experience): the pages' server routes and POST /v1/experience hand it
the steps of a visit, and it publishes them in the background.

These are no applications: one lost in a Kafka outage is acceptable, a citizen kept waiting for Kafka is not. So a
step is checked at once (an unknown service or a field that is no pointer is refused to the caller), then queued
in memory and published by a background job; when the queue is full (Kafka away for long) or a publish fails,
the step is dropped and counted, in a log line that names no step. The background job publishes outside any
request's trace, so no trace id ties a visit to a submission.
"""

import asyncio
import logging
from typing import Protocol
from uuid import UUID

from pydantic import BaseModel

from civicflow.intake.domain.catalogue import Catalogue
from civicflow.intake.domain.experience import experience_event
from civicflow.shared import topics
from civicflow.shared.events.common import Language
from civicflow.shared.events.experience import Device, ExperienceKind, ExperienceRecorded
from civicflow.shared.messaging.failures import describe

logger = logging.getLogger(__name__)

# Steps kept in memory while Kafka is slow or away; beyond this they are dropped.
QUEUE_LIMIT = 10_000
BATCH = 500
# After the first step of a run of losses, one log line per this many more.
LOG_EVERY = 1_000


class EventPublisher(Protocol):
    async def publish(self, topic: str, event: BaseModel, key: str) -> None: ...


class Experience:
    def __init__(self, catalogue: Catalogue, publisher: EventPublisher, limit: int = QUEUE_LIMIT) -> None:
        self._catalogue, self._publisher = catalogue, publisher
        self._queue: asyncio.Queue[ExperienceRecorded] = asyncio.Queue(limit)
        self.dropped = 0  # since the start
        self._dropped_in_a_row = 0

    async def record(
        self,
        kind: ExperienceKind,
        service_id: str,
        journey_id: UUID,
        language: Language,
        device: Device,
        field: str | None = None,
    ) -> None:
        """Record one step of a visit. Returns at once, never waiting for Kafka. Raises domain.experience's
        UnknownService, or pydantic's ValidationError (both ValueErrors) naming the arguments that do not fit."""
        event = experience_event(self._catalogue, kind, service_id, journey_id, language, device, field)
        try:
            self._queue.put_nowait(event)
        except asyncio.QueueFull:
            self._drop("queue full")

    async def run(self) -> None:
        """Publish what is recorded, for the service's lifetime (a background job of make_service_app)."""
        while True:
            batch = [await self._queue.get()]
            while len(batch) < BATCH and not self._queue.empty():
                batch.append(self._queue.get_nowait())
            outcomes = await asyncio.gather(*(self._publish(event) for event in batch), return_exceptions=True)
            for outcome in outcomes:
                if outcome is None:
                    self._dropped_in_a_row = 0
                else:
                    self._drop(describe(outcome))

    async def _publish(self, event: ExperienceRecorded) -> None:
        # Keyed by the journey: the steps of one visit share a partition.
        await self._publisher.publish(topics.EXPERIENCE_RECORDED, event, key=str(event.journey_id))

    def _drop(self, reason: str) -> None:
        self.dropped += 1
        self._dropped_in_a_row += 1
        if self._dropped_in_a_row == 1 or self._dropped_in_a_row % LOG_EVERY == 0:
            logger.warning(
                "experience events dropped (%s): %d in a row, %d since start",
                reason,
                self._dropped_in_a_row,
                self.dropped,
            )
