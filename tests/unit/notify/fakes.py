"""Hand-written ports for notify's unit tests: a channel and a sending record (the real channels and store are tested
in integration/)."""

from datetime import datetime
from uuid import UUID

from civicflow.notify.domain.channels import AddressKind
from civicflow.notify.domain.flooding import Quota
from civicflow.notify.domain.messages import Message
from civicflow.shared.events import NotificationStatus


class RecordingChannel:
    """Keeps what it was asked to send: (address, message, message key)."""

    def __init__(self, name: str = "email", address_kind: AddressKind = AddressKind.EMAIL) -> None:
        self.name, self.address_kind = name, address_kind
        self.sent: list[tuple[str, Message, str]] = []
        self.closed = False

    async def send(self, address: str, message: Message, message_key: str) -> NotificationStatus:
        self.sent.append((address, message, message_key))
        return NotificationStatus.SENDING

    async def close(self) -> None:
        self.closed = True


class FakeSendingRecord:
    """Slots and bounces in memory, as adapters.mongo_sending_limits keeps them: numbered slots per quota."""

    def __init__(self) -> None:
        self.slots: dict[str, dict[int, tuple[str, datetime]]] = {}  # quota name -> slot -> (notification id, until)
        self.bounces: dict[str, list[datetime]] = {}  # recipient -> until, one per bounce
        self.forgotten_at: list[datetime] = []

    async def claim(self, quota: Quota, notification_id: UUID, again: bool = True) -> bool:
        taken = self.slots.setdefault(quota.name, {})
        if again and str(notification_id) in (message for message, _ in taken.values()):
            return True
        free = next((slot for slot in range(quota.limit) if slot not in taken), None)
        if free is None:
            return False
        taken[free] = (str(notification_id), quota.until)
        return True

    async def release(self, quota: Quota, notification_id: UUID) -> None:
        taken = self.slots.get(quota.name, {})
        for slot, (message, _) in list(taken.items()):
            if message == str(notification_id):
                del taken[slot]

    async def is_bounced(self, recipient: str, now: datetime) -> bool:
        return any(until > now for until in self.bounces.get(recipient, []))

    async def mark_bounced(self, recipient: str, until: datetime) -> None:
        self.bounces.setdefault(recipient, []).append(until)

    async def forget_ended(self, now: datetime) -> None:
        self.forgotten_at.append(now)
        for taken in self.slots.values():
            for slot, (_, until) in list(taken.items()):
                if until <= now:
                    del taken[slot]
        for recipient, bounces in self.bounces.items():
            self.bounces[recipient] = [until for until in bounces if until > now]

    def taken(self) -> int:
        return sum(len(taken) for taken in self.slots.values())
