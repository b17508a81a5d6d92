"""Notify's use case: tell the citizen about a step, then report that they were told."""

from civicflow.notify.domain.channels import ChannelRegistry
from civicflow.notify.domain.messages import compose
from civicflow.shared import topics
from civicflow.shared.events import CitizenNotified, StatusEvent, derive_event_id
from civicflow.shared.kafka import EventPublisher


async def notify_citizen(event: StatusEvent, channels: ChannelRegistry, publisher: EventPublisher) -> None:
    """Called once per event (the subscription remembers each event as soon as this returns)."""
    channel = channels.for_recipient(event.recipient)
    await channel.send(event.recipient, compose(event), message_key=f"{event.submission_id}.{event.step}")
    notified = CitizenNotified(
        event_id=derive_event_id(event.event_id, CitizenNotified.step),
        submission_id=event.submission_id,
        notified_step=event.step,
        channel=channel.name,
    )
    await publisher.publish(topics.CITIZEN_NOTIFIED, notified, key=str(event.submission_id))
