"""Setting a message back over Kafka: a copy on the group's retry topic of the next stage, or a dead letter."""

import time

from faststream.kafka import KafkaBroker

from civicflow.shared import topics
from civicflow.shared.events import DeadLetter
from civicflow.shared.kafka import publish
from civicflow.shared.messaging import deliveries
from civicflow.shared.messaging.deliveries import Delivery


class KafkaSetbacks:
    def __init__(self, broker: KafkaBroker, group: str) -> None:
        self._broker, self._group = broker, group

    async def retry_later(self, delivery: Delivery, stage: int, delay_seconds: float, error: BaseException) -> None:
        """On the retry topic of `stage`, due in `delay_seconds`. The attempt counts on from the delivery's, not from
        the stage: past the last stage, that stage's topic carries every further retry."""
        headers = delivery.text_headers() | {
            deliveries.ATTEMPT: str(delivery.attempt + 1),
            deliveries.DUE: str(int((time.time() + delay_seconds) * 1000)),
            deliveries.SOURCE_TOPIC: delivery.source_topic,
            deliveries.SOURCE_PARTITION: str(delivery.source_partition),
            deliveries.SOURCE_OFFSET: str(delivery.source_offset),
            deliveries.LAST_ERROR: type(error).__name__,
        }
        topic = topics.retry_topic(self._group, stage)
        await self._broker.publish(delivery.value, topic=topic, key=delivery.key, headers=headers)

    async def dead_letter(self, letter: DeadLetter) -> None:
        await publish(self._broker, topics.DEAD_LETTER, letter, key=str(letter.dead_letter_id))
