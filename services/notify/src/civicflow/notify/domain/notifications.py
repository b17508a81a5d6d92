"""A message to the citizen, from the moment notify decides on it to its outcome, and the store that keeps it.

Steps are kept as they arrive (one note each, by event id). The first step that tells opens a window for its
application (one per application at a time); when the window is due, every step kept within it becomes ONE
notification, written from the furthest state reached by then. The notification is recorded before it is sent
(its id names the window, so a second look at the same window finds the same notification), its attempt is recorded
before the channel is called, and its outcome after: a crash in between leaves an attempt with no outcome, which
the next delivery of the same notification resends under the same Message-ID / idempotency reference."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol
from uuid import UUID, uuid5

from civicflow.notify.domain.notes import StepNote
from civicflow.shared.events import NotificationStatus, Step
from civicflow.shared.security.sealing import Sealed


@dataclass(frozen=True)
class KeptStep:
    note: StepNote
    tells: bool  # the policy tells the citizen of this step
    at: datetime  # when notify heard of it (its window is notify's clock, not the producers')
    notification_id: UUID | None = None  # the message that told of it, once there is one
    # The W3C trace context its processing ran in: the message a window's first step leads to joins that trace.
    trace: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Window:
    submission_id: UUID
    opened_by: UUID  # the step whose arrival opened it
    due: datetime

    @property
    def notification_id(self) -> UUID:
        return uuid5(self.submission_id, f"notification:{self.opened_by}")


@dataclass(frozen=True)
class Notification:
    notification_id: UUID
    submission_id: UUID
    note: StepNote  # the furthest state reached: the message's template, and where it goes (sealed)
    about: tuple[Step, ...]  # every step it tells of
    verified: bool  # the application's identity was verified when it was written (domain.flooding)
    sender: str | None  # the verified citizen's pseudonym
    status_link: Sealed | None = None  # on the application's first message only
    rating_link: Sealed | None = None  # on a message that closes the case
    status: NotificationStatus = NotificationStatus.CREATED
    attempts: int = 0
    channel: str | None = None
    reason: str | None = None  # why the latest attempt failed, or the message was not sent

    @property
    def message_key(self) -> str:
        """Stable per notification: its Message-ID or idempotency reference, the same on every attempt."""
        return f"{self.submission_id}.{self.notification_id}.{self.note.message_type}"


class NotificationStore(Protocol):
    async def keep(self, steps: Sequence[KeptStep]) -> list[KeptStep]:
        """Keeps each step once; returns those no message told of yet (a step delivered again after its message
        went is kept already, and told)."""

    async def open(self, windows: Sequence[Window]) -> None:
        """Opens each window unless its application has one open already."""

    async def earliest(self, limit: int) -> list[Window]:
        """The `limit` open windows due first, the earliest first."""

    async def steps_of(self, submission_id: UUID) -> list[KeptStep]:
        """Every step kept of the application, in the order notify heard of them."""

    async def create(self, notification: Notification, told: Sequence[UUID]) -> None:
        """Records the notification (once: its id is its window's), and that the steps `told` (event ids) are told
        by it."""

    async def close(self, window: Window) -> None:
        """Closes the window, if it is still the one opened by the same step."""

    async def get(self, notification_id: UUID) -> Notification | None: ...

    async def begin(self, notification_id: UUID) -> Notification | None:
        """Records that one more attempt is about to be made, before the channel is called, and returns the
        notification with it counted; None when it was sent already, refused for good, or is unknown."""

    async def settle(self, notification_id: UUID, status: NotificationStatus, channel: str, reason: str | None) -> None:
        """Records the outcome of the latest attempt."""

    async def forget_citizen(self, citizen_id: str) -> int:
        """Forgets every application a step of which names the citizen (its steps, windows and messages); returns
        how many applications."""

    async def forget_before(self, moment: datetime) -> int:
        """Forgets the steps and messages of applications last heard of before `moment`; returns how many
        applications."""
