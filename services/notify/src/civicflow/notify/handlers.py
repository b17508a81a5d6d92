"""Notify's use case: tell the citizen about a step, then report that they were told. Notify opens the sealed
address and, for an agency's decision, the agency's reason (the only personal data it holds keys for) just to send."""

from civicflow.notify.domain.channels import ChannelRegistry
from civicflow.notify.domain.messages import Personal
from civicflow.notify.rendering import compose
from civicflow.shared import topics
from civicflow.shared.events import CitizenNotified, StatusEvent, SubmissionDecided, derive_event_id, personal
from civicflow.shared.kafka import EventPublisher
from civicflow.shared.security.sealing import Sealer


async def notify_citizen(
    event: StatusEvent, channels: ChannelRegistry, sealer: Sealer, publisher: EventPublisher
) -> None:
    """Called once per event (the subscription remembers each event as soon as this returns)."""
    channel = channels.for_recipient(event.recipient)
    address = sealer.open(personal.CONTACT_ADDRESS, event.recipient.address, event.submission_id)
    letter, message_key = "", f"{event.submission_id}.{event.step}"
    if isinstance(event, SubmissionDecided):  # several per application: a request for information, then the decision
        letter = sealer.open(personal.DECISION_REASON, event.reason, event.submission_id)
        message_key = f"{message_key}.{event.decision_id}"
    await channel.send(address, compose(event, _opened(event, letter, sealer)), message_key=message_key)
    notified = CitizenNotified(
        event_id=derive_event_id(event.event_id, CitizenNotified.step),
        submission_id=event.submission_id,
        notified_step=event.step,
        channel=channel.name,
    )
    await publisher.publish(topics.CITIZEN_NOTIFIED, notified, key=str(event.submission_id))


def _opened(event: StatusEvent, letter: str, sealer: Sealer) -> Personal:
    """What the message says of the citizen: their name, and on the first message the status link."""
    recipient, submission_id = event.recipient, event.submission_id
    return Personal(
        letter=letter,
        citizen_name=(
            None if recipient.name is None else sealer.open(personal.CONTACT_NAME, recipient.name, submission_id)
        ),
        status_link=(
            None
            if recipient.status_link is None
            else sealer.open(personal.STATUS_LINK, recipient.status_link, submission_id)
        ),
    )
