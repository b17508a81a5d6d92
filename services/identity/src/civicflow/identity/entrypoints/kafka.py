"""Identity's subscriber."""

from faststream.kafka import KafkaBroker, KafkaMessage

from civicflow.identity.config import CONSUMER_GROUP
from civicflow.identity.domain.assertion import Expectations
from civicflow.identity.handlers import SigningKeys, verify_submission
from civicflow.shared import topics
from civicflow.shared.consuming import decode_or_dead_letter, redelivered_on_failure
from civicflow.shared.events import SubmissionReceived
from civicflow.shared.idempotency import ProcessedEvents
from civicflow.shared.kafka import KafkaEventPublisher, consumer_options


def register_subscribers(
    broker: KafkaBroker, keys: SigningKeys, expected: Expectations, processed: ProcessedEvents
) -> None:
    publisher = KafkaEventPublisher(broker)

    @broker.subscriber(topics.SUBMISSION_RECEIVED, **consumer_options(CONSUMER_GROUP))
    async def on_submission_received(message: KafkaMessage) -> None:
        event = await decode_or_dead_letter(SubmissionReceived, message, broker, CONSUMER_GROUP)
        if event is not None:
            async with redelivered_on_failure():
                await verify_submission(event, keys, expected, publisher, processed)
