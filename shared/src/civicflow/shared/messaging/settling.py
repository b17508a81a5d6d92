"""Settling a fetched batch: every delivery in it is handled, set back (retry topic or dead letter), or skipped as
already handled, before the batch may be committed.

Events with the same key are handled in order, different keys at the same time. Only our own store or broker
being down stops a batch; then the batch is held, retried in place, and nothing of it is committed, so nothing
already accepted is lost. Work done before the outage is not done again.
"""

import asyncio
import logging
import random
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Generic
from uuid import UUID

from opentelemetry import trace
from pymongo.errors import PyMongoError

from civicflow.shared.events.deadletter import DeadLetterReason
from civicflow.shared.messaging.deadletters import dead_letter
from civicflow.shared.messaging.decoding import Decoded
from civicflow.shared.messaging.deliveries import Delivery
from civicflow.shared.messaging.failures import Disposition, classify, describe
from civicflow.shared.messaging.subscription import E, Setbacks, StoreProbe, Subscription
from civicflow.shared.messaging.tracing import processing_span, processing_spans
from civicflow.shared.metrics import ConsumingMetrics
from civicflow.shared.settings import MessagingSettings

logger = logging.getLogger(__name__)

FIRST_HOLD_SECONDS = 0.5
LONGEST_HOLD_SECONDS = 15.0

# A number between its two arguments, as random.uniform; only spreads retries out, so no cryptographic source.
Uniform = Callable[[float, float], float]


class StillUnavailable(Exception):
    """Our store or broker stayed down for the whole hold: the batch must be fetched again, nothing committed."""


class _Batch(Generic[E]):
    """What is left to do for one fetched batch, kept across attempts while the store or broker is down."""

    def __init__(self, decoded: Sequence[Decoded[E]]) -> None:
        self.open: dict[tuple[str, int, int], Decoded[E]] = {item.position: item for item in decoded}
        self.unremembered: list[UUID] = []
        self.outage: BaseException | None = None

    def settle(self, item: Decoded[E]) -> None:
        self.open.pop(item.position, None)

    def lanes(self) -> list[list[Decoded[E]]]:
        by_lane: dict[tuple[int, bytes | None], list[Decoded[E]]] = {}
        for item in self.open.values():
            by_lane.setdefault(item.delivery.lane, []).append(item)
        return list(by_lane.values())


class Settler(Generic[E]):
    def __init__(
        self,
        subscription: Subscription[E],
        group: str,
        setbacks: Setbacks,
        settings: MessagingSettings,
        metrics: ConsumingMetrics,
        store_up: StoreProbe | None = None,
        uniform: Uniform = random.uniform,
    ) -> None:
        self.subscription, self.group, self.setbacks, self.settings = subscription, group, setbacks, settings
        self.metrics, self.store_up, self.uniform = metrics, store_up, uniform

    @property
    def event_type(self) -> type[E]:
        return self.subscription.event_type

    async def settle(self, decoded: Sequence[Decoded[E]], hold_limit_seconds: float) -> None:
        """Returns when every delivery is settled; raises StillUnavailable after holding for the limit."""
        batch = _Batch(decoded)
        pause, deadline = FIRST_HOLD_SECONDS, time.monotonic() + hold_limit_seconds
        while True:
            try:
                await self._attempt(batch)
                return
            except Exception as error:
                if await self._disposition(error) is not Disposition.UNAVAILABLE:
                    raise
                if time.monotonic() >= deadline:
                    raise StillUnavailable(describe(error)) from error
                logger.warning("%s: store or broker unavailable (%s); holding the batch", self._name, describe(error))
                await asyncio.sleep(pause)
                pause = min(pause * 2, LONGEST_HOLD_SECONDS)

    async def _disposition(self, error: BaseException) -> Disposition:
        """classify(), and for a store error that names no cause (FerretDB answers every call with an
        InternalError while its PostgreSQL is down), whether the store answers at all."""
        disposition = classify(error)
        ambiguous = disposition is Disposition.PERMANENT and isinstance(error, PyMongoError)
        if ambiguous and self.store_up is not None and not await self.store_up():
            return Disposition.UNAVAILABLE
        return disposition

    @property
    def _name(self) -> str:
        return f"{self.group} on {self.subscription.topic}"

    async def _attempt(self, batch: _Batch[E]) -> None:
        await self._set_back_undecodable(batch)
        await self._skip_already_processed(batch)
        if batch.open:
            await self._handle(batch)
        if batch.outage is not None:
            outage, batch.outage = batch.outage, None
            raise outage
        await self._remember(batch)

    async def _set_back_undecodable(self, batch: _Batch[E]) -> None:
        undecodable = [item for item in batch.open.values() if item.event is None]
        letters = [
            dead_letter(
                item.delivery,
                self.group,
                DeadLetterReason.UNDECODABLE,
                f"not a valid {self.subscription.event_type.__name__}: {item.problem}",
            )
            for item in undecodable
        ]
        outcomes = await asyncio.gather(*map(self.setbacks.dead_letter, letters), return_exceptions=True)
        for item, outcome in zip(undecodable, outcomes, strict=True):
            if not isinstance(outcome, BaseException):
                logger.warning("%s: dead-lettered offset %s (undecodable)", self._name, item.delivery.offset)
                self.metrics.dead_lettered(self.subscription.topic, self.group, DeadLetterReason.UNDECODABLE)
                batch.settle(item)
        failures = [outcome for outcome in outcomes if isinstance(outcome, BaseException)]
        if failures:
            raise failures[0]

    async def _skip_already_processed(self, batch: _Batch[E]) -> None:
        first_by_id: dict[UUID, Decoded[E]] = {}
        for item in list(batch.open.values()):
            assert item.event is not None
            if item.event.event_id in first_by_id:
                batch.settle(item)  # the same event twice in one batch: handled once, by its first copy
            else:
                first_by_id[item.event.event_id] = item
        processed = self.subscription.processed
        if processed is not None and first_by_id:
            for event_id in await processed.seen(list(first_by_id)):
                batch.settle(first_by_id[event_id])

    async def _handle(self, batch: _Batch[E]) -> None:
        handle_batch = self.subscription.handle_batch
        if handle_batch is not None and len(batch.open) > 1:
            items = list(batch.open.values())
            try:
                deliveries = [item.delivery for item in items]
                event_ids = [item.event.event_id for item in items if item.event is not None]
                with (
                    processing_spans(deliveries, self.group, event_ids),
                    self.metrics.handling(self.subscription.topic, self.group),
                ):
                    await handle_batch([item.event for item in items if item.event is not None])
            except Exception as error:
                if await self._disposition(error) is Disposition.UNAVAILABLE:
                    raise
                # Fall through: one by one, so that only the event that fails is set back.
            else:
                for item in items:
                    await self._handled(batch, item)
                return
        limit = asyncio.Semaphore(self.settings.concurrency)
        outcomes = await asyncio.gather(
            *(self._handle_lane(batch, lane, limit) for lane in batch.lanes()), return_exceptions=True
        )
        failures = [outcome for outcome in outcomes if isinstance(outcome, BaseException)]
        if failures:
            raise failures[0]

    async def _handle_lane(self, batch: _Batch[E], lane: list[Decoded[E]], limit: asyncio.Semaphore) -> None:
        async with limit:
            for item in lane:
                if not await self._handle_one(batch, item):
                    return  # our store or broker failed: the rest of this lane waits for the next attempt

    async def _handle_one(self, batch: _Batch[E], item: Decoded[E]) -> bool:
        assert item.event is not None
        with processing_span(item.delivery, self.group) as span:
            try:
                with self.metrics.handling(self.subscription.topic, self.group):
                    async with asyncio.timeout(self.settings.handler_timeout_seconds):
                        await self.subscription.handle(item.event)
            except Exception as error:  # noqa: BLE001 - every failure of a handler is classified below
                disposition = await self._disposition(error)
                span.set_attribute("error.type", type(error).__name__)
                span.set_attribute("civicflow.disposition", disposition.value)
                span.set_status(trace.StatusCode.ERROR)
                if disposition is Disposition.UNAVAILABLE:
                    batch.outage = error
                    return False
                await self._set_back(batch, item, error, disposition)
                return True
        await self._handled(batch, item)
        return True

    async def _handled(self, batch: _Batch[E], item: Decoded[E]) -> None:
        assert item.event is not None
        batch.settle(item)
        self.metrics.processed(self.subscription.topic, self.group)
        processed = self.subscription.processed
        if processed is None:
            return
        if not self.subscription.remember_each:
            batch.unremembered.append(item.event.event_id)
            return
        try:
            await processed.add([item.event.event_id])
        except Exception:
            batch.unremembered.append(item.event.event_id)  # handled: only remembering it is left to retry
            raise

    async def _set_back(self, batch: _Batch[E], item: Decoded[E], error: BaseException, how: Disposition) -> None:
        delivery: Delivery = item.delivery
        if how is Disposition.TRANSIENT and delivery.attempt < self.settings.retries:
            retry = delivery.attempt + 1
            stage = self.settings.retry_stage(retry)
            delay = self._jittered(self.settings.retry_delays_seconds[stage - 1])
            await self.setbacks.retry_later(delivery, stage, delay, error)
            self.metrics.retried(self.subscription.topic, self.group)
            due = datetime.now(UTC) + timedelta(seconds=delay)
            logger.info(
                "%s: offset %s retried in %.0f s, due %s (retry %d of %d; %s)",
                self._name,
                delivery.offset,
                delay,
                due.isoformat(timespec="seconds"),
                retry,
                self.settings.retries,
                describe(error),
            )
        else:
            reason = DeadLetterReason.RETRIES_EXHAUSTED if how is Disposition.TRANSIENT else DeadLetterReason.REJECTED
            detail = f"{describe(error)}; attempt {delivery.attempt + 1}"
            await self.setbacks.dead_letter(dead_letter(delivery, self.group, reason, detail))
            self.metrics.dead_lettered(self.subscription.topic, self.group, reason)
            logger.warning("%s: dead-lettered offset %s (%s: %s)", self._name, delivery.offset, reason, describe(error))
        batch.settle(item)

    def _jittered(self, delay: float) -> float:
        # Messages that failed together (one SMTP server away for all of them) would otherwise all come back at the
        # same moment and meet the same overload again. Each waits its delay times a factor around 1, close to the
        # "equal jitter" of AWS's "Exponential Backoff And Jitter" (Marc Brooker, 2015,
        # https://aws.amazon.com/blogs/architecture/exponential-backoff-and-jitter/): spread out, yet never much
        # sooner than the schedule says, which "full jitter" (anywhere from 0 to the delay) does not promise.
        spread = self.settings.retry_jitter
        return delay * self.uniform(1 - spread, 1 + spread)

    async def _remember(self, batch: _Batch[E]) -> None:
        processed = self.subscription.processed
        if processed is not None and batch.unremembered:
            await processed.add(batch.unremembered)
            batch.unremembered = []
