"""Notification channels: small classes behind one interface, registered by name."""

from typing import Protocol

from civicflow.notify.domain.messages import Message
from civicflow.shared.events import Recipient


class Channel(Protocol):
    name: str

    async def send(self, address: str, message: Message, message_key: str) -> None:
        """`address`: where on this channel the citizen is reached (an e-mail address)."""


class ChannelRegistry:
    def __init__(self) -> None:
        self._channels: dict[str, Channel] = {}

    def register(self, channel: Channel) -> None:
        self._channels[channel.name] = channel

    def for_recipient(self, recipient: Recipient) -> Channel:
        channel = self._channels.get(recipient.channel)
        if channel is None:
            raise LookupError(f"no notification channel named {recipient.channel!r}")
        return channel
