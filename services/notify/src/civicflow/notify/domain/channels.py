"""Notification channels: small classes behind one interface, registered by name (as open-forms' plugin registry).

The citizen's preference (their once-only profile's, else the submission's) names the channel; e-mail is the
fallback, because every application carries an e-mail address. A channel is chosen only when the event carries an
address of the kind it sends to: sending an e-mail address to an SMS provider as a phone number would hand personal
data to a third party and still not reach the citizen.
"""

import logging
from enum import StrEnum
from typing import Protocol

from civicflow.notify.domain.messages import Message
from civicflow.shared.events import NotificationStatus, Recipient

logger = logging.getLogger(__name__)

FALLBACK_CHANNEL = "email"


class AddressKind(StrEnum):
    """What a channel takes as the citizen's address."""

    EMAIL = "email"
    PHONE = "phone"  # E.164, as SMS providers take it
    MAILBOX = "mailbox"  # the citizen's mailbox id at a portal (a BundID-style Postfach)


def carried(recipient: Recipient) -> frozenset[AddressKind]:
    """The kinds of address the event holds for the citizen (each sealed): always the e-mail address, and the phone
    number or mailbox id where they chose SMS or their portal."""
    kinds = {AddressKind.EMAIL}
    if recipient.phone is not None:
        kinds.add(AddressKind.PHONE)
    if recipient.mailbox is not None:
        kinds.add(AddressKind.MAILBOX)
    return frozenset(kinds)


class Channel(Protocol):
    name: str
    address_kind: AddressKind

    async def send(self, address: str, message: Message, message_key: str) -> NotificationStatus:
        """Hands `message` to `address` (of `address_kind`); answers SENDING when the provider took it, DELIVERED
        only when the channel confirms it reached the citizen. `message_key` is stable per notification, so a
        provider can tell a resend after a crash from a new message. Raises shared.messaging's PermanentFailure
        when this message can never be delivered, TransientFailure when trying again later may succeed."""

    async def close(self) -> None:
        """Releases the channel's connections, at shutdown."""


class ChannelRegistry:
    def __init__(self, fallback: str = FALLBACK_CHANNEL) -> None:
        self._fallback = fallback
        self._channels: dict[str, Channel] = {}

    def register(self, channel: Channel) -> None:
        if channel.name in self._channels:  # a second one would silently replace the first
            raise ValueError(f"a notification channel named {channel.name!r} is registered already")
        self._channels[channel.name] = channel

    def for_recipient(self, recipient: Recipient) -> Channel:
        """The channel the citizen prefers if it is registered here and the event carries an address for it, else
        the fallback."""
        kinds = carried(recipient)
        preferred = self._channels.get(recipient.channel)
        if preferred is not None and preferred.address_kind in kinds:
            return preferred
        fallback = self._channels.get(self._fallback)
        if fallback is None or fallback.address_kind not in kinds:
            raise LookupError(f"no notification channel for {recipient.channel!r}, nor the fallback {self._fallback!r}")
        # The channel's name only: it says nothing about the citizen.
        reason = "is not configured" if preferred is None else "has no address in the event yet"
        logger.warning("notification channel %r %s: sent by %r instead", recipient.channel, reason, self._fallback)
        return fallback

    async def close(self) -> None:
        for channel in self._channels.values():
            await channel.close()
