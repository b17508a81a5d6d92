"""A hand-written channel for notify's unit tests (the real channels are tested in integration/)."""

from civicflow.notify.domain.channels import AddressKind
from civicflow.notify.domain.messages import Message


class RecordingChannel:
    """Keeps what it was asked to send: (address, message, message key)."""

    def __init__(self, name: str = "email", address_kind: AddressKind = AddressKind.EMAIL) -> None:
        self.name, self.address_kind = name, address_kind
        self.sent: list[tuple[str, Message, str]] = []
        self.closed = False

    async def send(self, address: str, message: Message, message_key: str) -> None:
        self.sent.append((address, message, message_key))

    async def close(self) -> None:
        self.closed = True
