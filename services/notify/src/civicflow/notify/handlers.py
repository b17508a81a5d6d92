"""Notify's use case: tell the citizen about a step once, then report that they were told."""

from typing import Protocol

from civicflow.notify.domain.channels import ChannelRegistry
from civicflow.notify.domain.messages import compose
from civicflow.shared import topics
from civicflow.shared.events import CitizenNotified, StatusEvent, derive_event_id
from civicflow.shared.kafka import EventPublisher


class NotificationLedger(Protocol):
    async def was_sent(self, key: str) -> bool: ...

    async def record_sent(self, key: str, channel: str) -> None: ...


async def notify_citizen(
    event: StatusEvent, channels: ChannelRegistry, ledger: NotificationLedger, publisher: EventPublisher
) -> None:
    key = f"{event.submission_id}.{event.step}"
    channel = channels.for_recipient(event.recipient)
    if not await ledger.was_sent(key):
        await channel.send(event.recipient, compose(event), message_key=key)
        await ledger.record_sent(key, channel.name)
    # Published again on a redelivery (same event id): intake keeps one timeline entry per event id.
    notified = CitizenNotified(
        event_id=derive_event_id(event.event_id, CitizenNotified.step),
        submission_id=event.submission_id,
        notified_step=event.step,
        channel=channel.name,
    )
    await publisher.publish(topics.CITIZEN_NOTIFIED, notified, key=str(event.submission_id))
