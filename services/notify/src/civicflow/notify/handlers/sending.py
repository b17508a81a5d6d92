"""Notify's use case at a message's time: send the notification once, and report each status it reaches.

Its attempt is recorded before the channel is called, its outcome after. The notification comes again after a
crash in between (its record on the due topic was not committed): then the attempt is made again under the same
Message-ID / idempotency reference, which a mail client or the provider folds into the first (README,
"Notifications"). A notification that was sent, or refused for good, is not sent again; its outcome is reported
again."""

import logging
from datetime import UTC, datetime
from uuid import UUID

from civicflow.notify.bounces import Bounced
from civicflow.notify.domain.channels import AddressKind, ChannelRegistry
from civicflow.notify.domain.flooding import Outgoing, SendingGuard
from civicflow.notify.domain.messages import Personal
from civicflow.notify.domain.notifications import Notification, NotificationStore
from civicflow.notify.handlers.coalescing import status_event
from civicflow.notify.rendering import compose
from civicflow.shared import topics
from civicflow.shared.events import NotificationDue, NotificationStatus, Recipient, personal
from civicflow.shared.kafka import EventPublisher
from civicflow.shared.messaging import PermanentFailure
from civicflow.shared.messaging.failures import Disposition, classify, describe
from civicflow.shared.security.sealing import Sealer

logger = logging.getLogger(__name__)


class Sending:
    def __init__(
        self,
        store: NotificationStore,
        channels: ChannelRegistry,
        guard: SendingGuard,
        sealer: Sealer,
        publisher: EventPublisher,
        attempts: int,
    ) -> None:
        self.store, self.channels, self.guard, self.sealer, self.publisher = store, channels, guard, sealer, publisher
        self.attempts = attempts  # how many a notification gets in all (the first and every retry)

    async def send(self, due: NotificationDue) -> None:
        # The attempt is recorded first: before the sending limits take slots (an attempt after this one knows to
        # look for them) and before the channel is called.
        notification = await self.store.begin(due.notification_id)
        if notification is None:
            await self._report_again(due)
            return
        attempt = notification.attempts
        if notification.status is NotificationStatus.CREATED and attempt > 1:
            logger.info("notification %s: resending an attempt whose outcome was not recorded", due.notification_id)
        recipient = notification.note.recipient
        channel = self.channels.for_recipient(recipient)
        address = self._address(recipient, channel.address_kind, notification.submission_id)
        message = compose(notification.note, self._opened(notification))
        outgoing = Outgoing(
            notification.notification_id,
            notification.submission_id,
            notification.verified,
            notification.sender,
            again=attempt > 1,
        )
        refusal = await self.guard.refusal(address, outgoing, datetime.now(UTC))
        if refusal is not None:
            reason = f"not sent: {refusal}"
            await self._report(notification, NotificationStatus.PERMANENT_FAILURE, attempt, channel.name, reason)
            return
        try:
            status = await channel.send(address, message, message_key=notification.message_key)
        except PermanentFailure as refused:  # for good: reported, and neither retried nor dead-lettered
            await self._refused(notification, attempt, channel.name, address, refused)
            return
        except Exception as error:
            await self._failed(notification, attempt, channel.name, error)
            raise  # to the retry topics, or (our own fault) to the dead letters
        await self._report(notification, status, attempt, channel.name, None)

    async def _report_again(self, due: NotificationDue) -> None:
        """A redelivery of a notification sent already, or refused for good: nothing is sent, but its outcome is
        published again, under the same event id. The outcome is recorded before it is published, so a crash or a
        broker away in between leaves a recorded outcome the citizen's timeline never heard of; a report that did get
        out is folded into the first by its id."""
        settled = await self.store.get(due.notification_id)
        if settled is None:
            raise PermanentFailure("no such notification")
        event = status_event(
            settled, settled.status, attempt=settled.attempts, channel=settled.channel, reason=settled.reason
        )
        await self.publisher.publish(topics.CITIZEN_NOTIFIED, event, key=str(settled.submission_id))

    async def _refused(
        self, notification: Notification, attempt: int, channel: str, address: str, refused: PermanentFailure
    ) -> None:
        if isinstance(refused, Bounced):  # the address itself: not again for a while (domain.flooding)
            await self.guard.bounced(address, datetime.now(UTC))
        await self._report(notification, NotificationStatus.PERMANENT_FAILURE, attempt, channel, describe(refused))

    async def _failed(self, notification: Notification, attempt: int, channel: str, error: Exception) -> None:
        """Reports a failure the subscription retries (a passing one) or dead-letters (our own fault)."""
        disposition = classify(error)
        if disposition is Disposition.UNAVAILABLE:
            return  # our own store or broker: the attempt is made again when it is back, nothing to report
        if disposition is Disposition.TRANSIENT:
            await self._report(
                notification,
                NotificationStatus.TEMPORARY_FAILURE,
                attempt,
                channel,
                describe(error),
                will_retry=attempt < self.attempts,
            )
            return
        await self._report(notification, NotificationStatus.TECHNICAL_FAILURE, attempt, channel, describe(error))

    async def _report(
        self,
        notification: Notification,
        status: NotificationStatus,
        attempt: int,
        channel: str,
        reason: str | None,
        *,
        will_retry: bool = False,
    ) -> None:
        await self.store.settle(notification.notification_id, status, channel, reason)
        event = status_event(
            notification, status, attempt=attempt, channel=channel, reason=reason, will_retry=will_retry
        )
        await self.publisher.publish(topics.CITIZEN_NOTIFIED, event, key=str(notification.submission_id))

    def _address(self, recipient: Recipient, kind: AddressKind, submission_id: UUID) -> str:
        """The citizen's address of the kind the channel sends to (ChannelRegistry chose it because it is there)."""
        if kind is AddressKind.PHONE and recipient.phone is not None:
            return self.sealer.open(personal.CONTACT_PHONE, recipient.phone, submission_id)
        if kind is AddressKind.MAILBOX and recipient.mailbox is not None:
            return self.sealer.open(personal.CONTACT_MAILBOX, recipient.mailbox, submission_id)
        return self.sealer.open(personal.CONTACT_ADDRESS, recipient.address, submission_id)

    def _opened(self, notification: Notification) -> Personal:
        """What the message says of the citizen: their name, the status link on the first message, the rating link
        on the one that closes the case."""
        submission_id, note, sealer = notification.submission_id, notification.note, self.sealer
        name = note.recipient.name
        return Personal(
            letter="" if note.letter is None else sealer.open(personal.DECISION_REASON, note.letter, submission_id),
            citizen_name=None if name is None else sealer.open(personal.CONTACT_NAME, name, submission_id),
            status_link=(
                None
                if notification.status_link is None
                else sealer.open(personal.STATUS_LINK, notification.status_link, submission_id)
            ),
            rating_link=(
                None
                if notification.rating_link is None
                else sealer.open(personal.RATING_LINK, notification.rating_link, submission_id)
            ),
        )
