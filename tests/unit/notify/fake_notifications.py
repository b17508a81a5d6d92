"""Notify's notification store in memory (adapters.mongo_notifications is tested against FerretDB in integration/),
a guard that lets everything pass, and the whole way of a step to its message, for unit tests."""

import dataclasses
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from uuid import UUID

from civicflow.notify.domain.channels import AddressKind, ChannelRegistry
from civicflow.notify.domain.flooding import Outgoing, Suppressed
from civicflow.notify.domain.messages import Message
from civicflow.notify.domain.notifications import KeptStep, Notification, Window
from civicflow.notify.domain.policy import HEARD_OF, NotificationPolicy
from civicflow.notify.handlers.coalescing import close_window, keep_steps
from civicflow.notify.handlers.sending import Sending
from civicflow.shared import topics
from civicflow.shared.events import NotificationDue, NotificationStatus, StatusEvent
from civicflow.shared.events.notify import SETTLED_STATUSES
from civicflow.shared.security.sealing import Sealer
from tests.unit.fakes import FakePublisher


class FakeNotificationStore:
    def __init__(self) -> None:
        self.steps: dict[UUID, KeptStep] = {}
        self.windows: dict[UUID, Window] = {}
        self.notifications: dict[UUID, Notification] = {}
        self.attempts: list[tuple[UUID, int]] = []

    async def keep(self, steps: Sequence[KeptStep]) -> list[KeptStep]:
        for step in steps:
            self.steps.setdefault(step.note.event_id, step)
        return [step for step in steps if self.steps[step.note.event_id].notification_id is None]

    async def open(self, windows: Sequence[Window]) -> None:
        for window in windows:
            self.windows.setdefault(window.submission_id, window)

    async def earliest(self, limit: int) -> list[Window]:
        return sorted(self.windows.values(), key=lambda w: w.due)[:limit]

    async def due(self, now: datetime) -> list[Window]:
        """The windows due by `now` (as the closer finds them)."""
        return [window for window in await self.earliest(100) if window.due <= now]

    async def steps_of(self, submission_id: UUID) -> list[KeptStep]:
        return sorted((s for s in self.steps.values() if s.note.submission_id == submission_id), key=lambda s: s.at)

    async def create(self, notification: Notification, told: Sequence[UUID]) -> None:
        self.notifications.setdefault(notification.notification_id, notification)
        for event_id in told:
            self.steps[event_id] = dataclasses.replace(
                self.steps[event_id], notification_id=notification.notification_id
            )

    async def close(self, window: Window) -> None:
        if self.windows.get(window.submission_id) == window:
            del self.windows[window.submission_id]

    async def get(self, notification_id: UUID) -> Notification | None:
        return self.notifications.get(notification_id)

    async def begin(self, notification_id: UUID) -> Notification | None:
        found = self.notifications.get(notification_id)
        if found is None or found.status in SETTLED_STATUSES:
            return None
        begun = dataclasses.replace(found, attempts=found.attempts + 1)
        self.notifications[notification_id] = begun
        self.attempts.append((notification_id, begun.attempts))
        return begun

    async def settle(self, notification_id: UUID, status: NotificationStatus, channel: str, reason: str | None) -> None:
        found = self.notifications[notification_id]
        self.notifications[notification_id] = dataclasses.replace(found, status=status, channel=channel, reason=reason)

    async def forget_citizen(self, citizen_id: str) -> int:
        return self._forget({s.note.submission_id for s in self.steps.values() if s.note.citizen_id == citizen_id})

    async def forget_before(self, moment: datetime) -> int:
        latest: dict[UUID, datetime] = {}
        for step in self.steps.values():
            latest[step.note.submission_id] = max(step.at, latest.get(step.note.submission_id, step.at))
        return self._forget({submission_id for submission_id, at in latest.items() if at < moment})

    def _forget(self, submission_ids: set[UUID]) -> int:
        self.steps = {k: s for k, s in self.steps.items() if s.note.submission_id not in submission_ids}
        self.windows = {k: w for k, w in self.windows.items() if k not in submission_ids}
        self.notifications = {k: n for k, n in self.notifications.items() if n.submission_id not in submission_ids}
        return len(submission_ids)


class LettingEverythingPass:
    def __init__(self) -> None:
        self.bounced_addresses: list[str] = []

    async def refusal(self, address: str, outgoing: Outgoing, now: datetime) -> Suppressed | None:
        return None

    async def bounced(self, address: str, now: datetime) -> None:
        self.bounced_addresses.append(address)


TELL_ALL_AT_ONCE = NotificationPolicy(frozenset(HEARD_OF), timedelta(0))


@dataclasses.dataclass
class Notifying:
    """Notify with its ports in memory: `tell(events)` keeps them, closes every window due `later`, and sends."""

    channels: ChannelRegistry
    sealer: Sealer
    policy: NotificationPolicy = TELL_ALL_AT_ONCE
    store: FakeNotificationStore = dataclasses.field(default_factory=FakeNotificationStore)
    publisher: FakePublisher = dataclasses.field(default_factory=FakePublisher)
    guard: LettingEverythingPass = dataclasses.field(default_factory=LettingEverythingPass)

    @property
    def sending(self) -> Sending:
        return Sending(self.store, self.channels, self.guard, self.sealer, self.publisher, attempts=3)

    async def keep(self, events: Sequence[StatusEvent], at: datetime) -> None:
        await keep_steps(events, self.store, self.policy, at)

    async def close_due(self, now: datetime) -> list[NotificationDue]:
        """Closes the windows due by `now`; the notifications handed on to be sent."""
        before = len(self.publisher.published)
        for window in await self.store.due(now):
            await close_window(window, self.store, self.publisher, self.policy.coalesce, now)
        return [
            event
            for topic, event, _ in self.publisher.published[before:]
            if topic == topics.NOTIFICATION_DUE and isinstance(event, NotificationDue)
        ]

    async def tell(self, events: Sequence[StatusEvent], later: timedelta = timedelta(hours=1)) -> None:
        now = datetime.now(UTC)
        await self.keep(events, now)
        for due in await self.close_due(now + later):
            await self.sending.send(due)


class ScriptedChannel:
    """An e-mail channel that answers each send with the next of `answers` (an exception is raised), the last
    repeated; what it was asked to send is kept."""

    name = "email"

    def __init__(self, *answers: NotificationStatus | Exception) -> None:
        self.address_kind = AddressKind.EMAIL
        self.answers = list(answers) or [NotificationStatus.SENDING]
        self.sent: list[tuple[str, str]] = []  # (address, message key)

    async def send(self, address: str, message: Message, message_key: str) -> NotificationStatus:
        self.sent.append((address, message_key))
        answer = self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]
        if isinstance(answer, Exception):
            raise answer
        return answer

    async def close(self) -> None:
        pass
