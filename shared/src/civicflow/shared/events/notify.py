"""Events published by notify: how each message to the citizen fares, and (for notify alone) which is due."""

from enum import StrEnum
from typing import ClassVar
from uuid import UUID, uuid5

from pydantic import Field

from civicflow.shared.events.base import Event, Step


class NotificationStatus(StrEnum):
    """A message's status, as GOV.UK Notify names them."""

    CREATED = "created"  # decided on, not yet handed to a channel
    SENDING = "sending"  # handed to the channel's provider (an SMTP relay, an SMS provider), not confirmed delivered
    DELIVERED = "delivered"  # the channel confirmed it reached the citizen (a portal that stored it in the mailbox)
    TEMPORARY_FAILURE = "temporary-failure"  # the provider could not take it now; it is tried again later
    PERMANENT_FAILURE = "permanent-failure"  # the provider refused it for good (an unknown address), or not sent
    TECHNICAL_FAILURE = "technical-failure"  # our own fault: nothing went out; an operator can replay it


# After these, the message is not sent (again).
SETTLED_STATUSES = frozenset(
    {NotificationStatus.SENDING, NotificationStatus.DELIVERED, NotificationStatus.PERMANENT_FAILURE}
)


class CitizenNotified(Event):
    """A message to the citizen changed its status: one event per status it reaches (and per attempt)."""

    step: ClassVar[Step] = Step.NOTIFIED

    schema_version: int = 2
    notification_id: UUID
    # The template it was written from (notify's MessageType), which names the latest state it tells.
    message_type: str = Field(max_length=40)
    status: NotificationStatus
    # The steps this one message tells of: steps close together go out as one (README, "Notifications").
    about: tuple[Step, ...]
    channel: str | None = Field(default=None, max_length=40)
    # Why it failed or was not sent, as a code (an SMTP or HTTP status, a sending limit); never the provider's text.
    reason: str | None = Field(default=None, max_length=200)
    attempt: int = 0
    will_retry: bool = False


def status_event_id(notification_id: UUID, status: NotificationStatus, attempt: int) -> UUID:
    """The same for a status reported twice (a resend after a crash), different for each attempt's."""
    return uuid5(notification_id, f"{status}:{attempt}")


class NotificationDue(Event):
    """Notify's own: the message `notification_id` is to be sent now. Its retries (a provider that answered
    "later") go through notify's retry topics, and after the last one it is a dead letter an operator can replay.
    Its event id is the notification's id."""

    notification_id: UUID
