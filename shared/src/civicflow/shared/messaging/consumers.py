"""The one way a CivicFlow service consumes: `Consumers(broker, group, settings, database, metrics).subscribe(...)`.

Each subscription gets its own typed FastStream batch subscriber. A batch is committed only once every record
in it is settled (handled, set back to a retry topic, dead-lettered, or skipped as already handled); until
then a crash or a rebalance makes it come again, so nothing accepted is lost. The group's retry topics are
read by subscribers of their own, one per stage, each waiting until its head record is due.
"""

import asyncio
import inspect
import logging
from datetime import timedelta
from functools import partial
from typing import Any, Protocol

from faststream import AckPolicy
from faststream.kafka import KafkaBroker
from faststream.message import StreamMessage
from prometheus_client import CollectorRegistry
from pymongo.asynchronous.database import AsyncDatabase

from civicflow.shared import topics
from civicflow.shared.events.deadletter import DeadLetterReason
from civicflow.shared.messaging.deadletters import dead_letter
from civicflow.shared.messaging.decoding import DecodedBatch, decode
from civicflow.shared.messaging.deliveries import Delivery
from civicflow.shared.messaging.failures import describe
from civicflow.shared.messaging.kafka_setbacks import KafkaSetbacks
from civicflow.shared.messaging.processed import MongoProcessedEvents
from civicflow.shared.messaging.settling import Settler, StillUnavailable
from civicflow.shared.messaging.subscription import E, Subscription
from civicflow.shared.metrics import ConsumingMetrics
from civicflow.shared.mongo import Document, store_up
from civicflow.shared.settings import MessagingSettings

logger = logging.getLogger(__name__)

# How long a batch is held while our store or broker is down before it is let go and fetched again (well
# under Kafka's max.poll.interval, so the consumer stays in its group).
HOLD_LIMIT_SECONDS = 60.0
# A retry subscriber looks at a record that is not due yet again after at most this long.
RETRY_POLL_SECONDS = 5.0
# After a failure of this module itself (a bug), before the batch is fetched again.
PAUSE_AFTER_DEFECT_SECONDS = 1.0
# How often expired processed-event ids are swept away.
SWEEP_INTERVAL_SECONDS = 3600.0


class _Acknowledgeable(Protocol):
    async def ack(self) -> None: ...

    async def nack(self) -> None: ...


class Consumers:
    """Every subscription of one service's consumer group, the retry topics they share, and the service's record
    of processed events in its own database (whose being down holds consumption). What becomes of each message is
    counted in the app's registry `metrics` (civicflow.shared.metrics.consuming)."""

    def __init__(
        self,
        broker: KafkaBroker,
        group: str,
        settings: MessagingSettings,
        database: AsyncDatabase[Document],
        metrics: CollectorRegistry,
    ) -> None:
        self.broker, self.group, self.settings = broker, group, settings
        self.metrics = ConsumingMetrics(metrics)
        self.processed = MongoProcessedEvents(database, timedelta(days=settings.processed_retention_days))
        self.store_up = partial(store_up, database.client)
        self.setbacks = KafkaSetbacks(broker, group)
        self.settlers: dict[str, Settler[Any]] = {}
        for stage in range(1, len(settings.retry_delays_seconds) + 1):
            self._subscribe_retries(stage)

    def subscribe(self, subscription: Subscription[E]) -> None:
        settler = Settler(subscription, self.group, self.setbacks, self.settings, self.metrics, self.store_up)
        self.settlers[subscription.topic] = settler
        event_type = subscription.event_type

        async def consume(events: DecodedBatch[E]) -> None:
            await self._settle(events, settler, events.message)

        # FastStream documents the payload from the handler's signature; E is only known here, at run time.
        consume.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
            [inspect.Parameter("events", inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=list[event_type])]  # type: ignore[valid-type]
        )
        consume.__name__ = consume.__qualname__ = f"on_{event_type.__name__}"

        # Async, so FastStream calls it in the event loop instead of handing each batch to a worker thread.
        async def decoder(message: StreamMessage[Any]) -> DecodedBatch[E]:
            deliveries = (Delivery.of(record) for record in message.raw_message)
            return DecodedBatch([decode(delivery, event_type, subscription.parse) for delivery in deliveries], message)

        where: dict[str, Any] = (
            {"pattern": subscription.topic} if subscription.pattern else {"topics": (subscription.topic,)}
        )
        subscriber = self.broker.subscriber(
            *where.pop("topics", ()),
            **where,
            batch=True,
            max_records=self.settings.batch_max_records,
            batch_timeout_ms=self.settings.batch_timeout_ms,
            **self._options(subscription.topic),
        )
        subscriber(consume, decoder=decoder)

    async def sweep(self) -> None:
        """A background job for the service's lifetime: forget expired processed-event ids every hour."""
        while True:
            await self.processed.forget_expired()
            await asyncio.sleep(SWEEP_INTERVAL_SECONDS)

    def _subscribe_retries(self, stage: int) -> None:
        async def consume_retry(message: StreamMessage[Any]) -> None:
            (record,) = message.raw_message
            delivery = Delivery.of(record)
            wait = delivery.seconds_until_due()
            if wait > 0:
                await asyncio.sleep(min(wait, RETRY_POLL_SECONDS))
                if delivery.seconds_until_due() > 0:
                    await _rewind(message)
                    return
            settler = self._settler_of(delivery.source_topic)
            if settler is None:
                await self._unknown_source(delivery, message)
                return
            decoded = decode(delivery, settler.event_type, settler.subscription.parse)
            await self._settle(DecodedBatch([decoded], message), settler, message)

        topic = topics.retry_topic(self.group, stage)
        subscriber = self.broker.subscriber(
            topic, batch=True, max_records=1, include_in_schema=False, **self._options(topic)
        )
        subscriber(consume_retry, decoder=_as_is)

    def _settler_of(self, topic: str) -> "Settler[Any] | None":
        found = self.settlers.get(topic)
        if found is None:  # a topic of a family subscribed by pattern
            found = next((s for s in self.settlers.values() if s.subscription.reads(topic)), None)
        return found

    async def _settle(self, events: DecodedBatch[Any], settler: Settler[Any], message: _Acknowledgeable) -> None:
        try:
            await settler.settle(events.decoded, HOLD_LIMIT_SECONDS)
        except StillUnavailable as outage:
            logger.warning("%s: still unavailable (%s); fetching the batch again", self.group, outage)
            await _rewind(message)
            return
        except Exception as defect:  # noqa: BLE001 - a defect here must not let the batch be committed
            # Its kind and place, not its message or traceback text: those may quote the message's personal data.
            logger.error("%s: consuming failed (%s); fetching the batch again", self.group, describe(defect))
            await _rewind(message)
            await asyncio.sleep(PAUSE_AFTER_DEFECT_SECONDS)
            return
        await _commit(message)

    async def _unknown_source(self, delivery: Delivery, message: _Acknowledgeable) -> None:
        detail = f"{delivery.topic} holds a record from {delivery.source_topic!r}, which {self.group} does not read"
        try:
            await self.setbacks.dead_letter(dead_letter(delivery, self.group, DeadLetterReason.UNDECODABLE, detail))
        except Exception as error:  # noqa: BLE001 - Kafka is away: keep the record, fetch it again
            logger.warning("%s: could not dead-letter a retry record (%s)", self.group, describe(error))
            await _rewind(message)
            return
        # Under the retry topic: the source its headers name is not one this group reads.
        self.metrics.dead_lettered(delivery.topic, self.group, DeadLetterReason.UNDECODABLE)
        await _commit(message)

    def _options(self, topic: str) -> dict[str, Any]:
        # FastStream's default commits before the handler runs and starts a new group at the log's end:
        # here nothing is committed before it is settled, and a new group reads from the beginning.
        # One Kafka consumer group per topic read (named after the service's group): a consumer that joins
        # or dies makes only its own group rebalance, not every subscription of the service in turn.
        group_id = topics.group_id(self.group, topic)
        return {
            "group_id": group_id,
            "auto_offset_reset": "earliest",
            "ack_policy": AckPolicy.MANUAL,
            "fetch_max_wait_ms": self.settings.fetch_max_wait_ms,
        }


async def _as_is(message: StreamMessage[Any]) -> StreamMessage[Any]:
    return message


async def _commit(message: _Acknowledgeable) -> None:
    try:
        await message.ack()
    except Exception as error:  # noqa: BLE001 - a rebalance or a broker away: the batch comes again, and is skipped as done
        logger.warning("commit failed (%s); the batch may be delivered again", type(error).__name__)


async def _rewind(message: _Acknowledgeable) -> None:
    try:
        await message.nack()
    except Exception as error:  # noqa: BLE001 - the partition was revoked meanwhile: its new owner starts from the commit
        logger.warning("rewind failed (%s)", type(error).__name__)
