"""Notify's subscriber: one consumer for every step the citizen hears about."""

from faststream.kafka import KafkaBroker, KafkaMessage

from civicflow.notify.config import CONSUMER_GROUP
from civicflow.notify.domain.channels import ChannelRegistry
from civicflow.notify.handlers import NotificationLedger, notify_citizen
from civicflow.shared import topics
from civicflow.shared.consuming import decode_or_dead_letter, redelivered_on_failure, source_record
from civicflow.shared.events import (
    IdentityRejected,
    IdentityVerified,
    StatusEvent,
    SubmissionReceived,
    SubmissionRouted,
    SubmissionUnroutable,
)
from civicflow.shared.kafka import KafkaEventPublisher, consumer_options

STEP_SOURCES: dict[str, type[StatusEvent]] = {
    topics.SUBMISSION_RECEIVED: SubmissionReceived,
    topics.IDENTITY_VERIFIED: IdentityVerified,
    topics.IDENTITY_REJECTED: IdentityRejected,
    topics.SUBMISSION_ROUTED: SubmissionRouted,
    topics.SUBMISSION_UNROUTABLE: SubmissionUnroutable,
}


def register_subscribers(broker: KafkaBroker, channels: ChannelRegistry, ledger: NotificationLedger) -> None:
    publisher = KafkaEventPublisher(broker)

    @broker.subscriber(*STEP_SOURCES, **consumer_options(CONSUMER_GROUP))
    async def on_step(message: KafkaMessage) -> None:
        event_type = STEP_SOURCES[source_record(message).topic]
        event = await decode_or_dead_letter(event_type, message, broker, CONSUMER_GROUP)
        if event is not None:
            async with redelivered_on_failure():
                await notify_citizen(event, channels, ledger, publisher)
