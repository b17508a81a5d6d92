"""Routing's subscriber."""

from faststream.kafka import KafkaBroker, KafkaMessage

from civicflow.routing.config import CONSUMER_GROUP
from civicflow.routing.domain.registry import AgencyRegistry, PostalIndex
from civicflow.routing.handlers import route_submission
from civicflow.shared import topics
from civicflow.shared.consuming import decode_or_dead_letter, redelivered_on_failure
from civicflow.shared.events import IdentityVerified
from civicflow.shared.idempotency import ProcessedEvents
from civicflow.shared.kafka import KafkaEventPublisher, consumer_options


def register_subscribers(
    broker: KafkaBroker, postal: PostalIndex, registry: AgencyRegistry, processed: ProcessedEvents
) -> None:
    publisher = KafkaEventPublisher(broker)

    @broker.subscriber(topics.IDENTITY_VERIFIED, **consumer_options(CONSUMER_GROUP))
    async def on_identity_verified(message: KafkaMessage) -> None:
        event = await decode_or_dead_letter(IdentityVerified, message, broker, CONSUMER_GROUP)
        if event is not None:
            async with redelivered_on_failure():
                await route_submission(event, postal, registry, publisher, processed)
