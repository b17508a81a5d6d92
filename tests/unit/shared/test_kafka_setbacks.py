"""Setting a message back over Kafka, on FastStream's in-memory broker: the retry record's headers."""

import time
from typing import Any

from faststream.kafka import KafkaBroker, TestKafkaBroker
from faststream.kafka.annotations import KafkaMessage

from civicflow.shared import topics
from civicflow.shared.messaging import TransientFailure
from civicflow.shared.messaging.deliveries import ATTEMPT, DUE, SOURCE_TOPIC, Delivery
from civicflow.shared.messaging.kafka_setbacks import KafkaSetbacks

GROUP = "civicflow-test"


async def test_a_retry_past_the_last_stage_counts_its_attempt_on_and_is_due_after_its_delay() -> None:
    broker = KafkaBroker()
    received: list[dict[str, Any]] = []

    @broker.subscriber(topics.retry_topic(GROUP, 4))
    async def on_retry(body: Any, message: KafkaMessage) -> None:
        received.append(dict(message.headers))

    sixth = Delivery(topics.retry_topic(GROUP, 4), 0, 7, b"key", b"{}", {ATTEMPT: b"5", SOURCE_TOPIC: b"origin"})
    async with TestKafkaBroker(broker) as test:
        before = time.time()
        await KafkaSetbacks(test, GROUP).retry_later(sixth, 4, 3456.7, TransientFailure("SMTP 451"))
        after = time.time()
    (headers,) = received
    assert headers[ATTEMPT] == "6" and headers[SOURCE_TOPIC] == "origin"
    assert int((before + 3456.7) * 1000) <= int(headers[DUE]) <= int((after + 3456.7) * 1000)
