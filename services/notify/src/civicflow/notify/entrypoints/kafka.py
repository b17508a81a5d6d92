"""Notify's subscriptions: one per step the citizen hears about."""

from civicflow.notify.domain.channels import ChannelRegistry
from civicflow.notify.handlers import notify_citizen
from civicflow.shared import topics
from civicflow.shared.events import (
    IdentityRejected,
    IdentityVerified,
    StatusEvent,
    SubmissionDecided,
    SubmissionNeedsClarification,
    SubmissionReceived,
    SubmissionRouted,
    SubmissionUnroutable,
)
from civicflow.shared.kafka import EventPublisher
from civicflow.shared.messaging import Consumers, Subscription
from civicflow.shared.security.sealing import Sealer

STEP_SOURCES: dict[str, type[StatusEvent]] = {
    topics.SUBMISSION_RECEIVED: SubmissionReceived,
    topics.IDENTITY_VERIFIED: IdentityVerified,
    topics.IDENTITY_REJECTED: IdentityRejected,
    topics.SUBMISSION_ROUTED: SubmissionRouted,
    topics.SUBMISSION_UNROUTABLE: SubmissionUnroutable,
    topics.CLARIFICATION_NEEDED: SubmissionNeedsClarification,
    topics.SUBMISSION_DECIDED: SubmissionDecided,
}


def register_subscribers(
    consumers: Consumers, channels: ChannelRegistry, sealer: Sealer, publisher: EventPublisher
) -> None:
    async def on_step(event: StatusEvent) -> None:
        await notify_citizen(event, channels, sealer, publisher)

    for topic, event_type in STEP_SOURCES.items():
        # Each event is remembered as soon as the citizen was told: after a crash, a redelivered step is not
        # mailed again (a crash between the SMTP server's acceptance and that write can still repeat one
        # mail; its Message-ID is the same, so mail clients fold the two).
        consumers.subscribe(Subscription(topic, event_type, on_step, processed=consumers.processed, remember_each=True))
