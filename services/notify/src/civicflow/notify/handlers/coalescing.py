"""Notify's use cases before a message is sent: keep each step as it arrives, and when a window is due, write the one
notification that tells of every step within it (domain.notifications explains the windows)."""

import logging
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta

from opentelemetry import context, propagate

from civicflow.notify.domain.notes import latest, note_of
from civicflow.notify.domain.notifications import KeptStep, Notification, NotificationStore, Window
from civicflow.notify.domain.policy import NotificationPolicy
from civicflow.shared import topics
from civicflow.shared.events import CitizenNotified, NotificationDue, NotificationStatus, StatusEvent
from civicflow.shared.events.notify import status_event_id
from civicflow.shared.kafka import EventPublisher
from civicflow.shared.messaging.tracing import trace_carrier

logger = logging.getLogger(__name__)


async def keep_steps(
    events: Sequence[StatusEvent], store: NotificationStore, policy: NotificationPolicy, now: datetime
) -> datetime | None:
    """Keeps the steps, and opens a window for each application a step of which tells; returns when the windows
    opened are due (None: none was), for the timer that closes them."""
    kept = [
        # with the context of the step's processing span, in its application's trace (shared.messaging.tracing)
        KeptStep(note_of(event), policy.tells_of(event.step), now, trace=trace_carrier(event.event_id))
        for event in events
    ]
    untold = await store.keep(kept)
    windows = {
        step.note.submission_id: Window(step.note.submission_id, step.note.event_id, now + policy.coalesce)
        for step in reversed(untold)  # the first telling step of an application opens its window
        if step.tells
    }
    await store.open(list(windows.values()))
    return now + policy.coalesce if windows else None


async def close_window(
    window: Window, store: NotificationStore, publisher: EventPublisher, coalesce: timedelta, now: datetime
) -> None:
    """Writes the window's notification and hands it on to be sent; then closes the window, and opens the next if a
    step that tells arrived meanwhile."""
    notification_id = window.notification_id
    steps = [step for step in await store.steps_of(window.submission_id) if step.at <= window.due]
    told = [step for step in steps if step.notification_id in (None, notification_id)]
    if any(step.tells for step in told):
        notification = _notification(window, steps, told)
        await store.create(notification, [step.note.event_id for step in told])
        await _hand_on(notification, publisher, _opening_trace(window, steps))
    await store.close(window)
    # A step that tells and came while this window was being written found it open and opened none of its own.
    waiting = [
        step for step in await store.steps_of(window.submission_id) if step.tells and step.notification_id is None
    ]
    if waiting:
        first = min(waiting, key=lambda step: step.at)
        await store.open([Window(window.submission_id, first.note.event_id, max(first.at + coalesce, now))])


def _opening_trace(window: Window, steps: list[KeptStep]) -> Mapping[str, str]:
    return next((step.trace for step in steps if step.note.event_id == window.opened_by), {})


async def _hand_on(notification: Notification, publisher: EventPublisher, trace: Mapping[str, str]) -> None:
    """Publishes the notification to be sent, and that it was created, in the trace of the step that opened its
    window: one trace per application, from its POST to the mail."""
    key, notification_id = str(notification.submission_id), notification.notification_id
    due = NotificationDue(
        event_id=notification_id, submission_id=notification.submission_id, notification_id=notification_id
    )
    token = context.attach(propagate.extract(trace))
    try:
        await publisher.publish(topics.NOTIFICATION_DUE, due, key=key)
        await publisher.publish(
            topics.CITIZEN_NOTIFIED, status_event(notification, NotificationStatus.CREATED), key=key
        )
    finally:
        context.detach(token)


def _notification(window: Window, steps: list[KeptStep], told: list[KeptStep]) -> Notification:
    state = latest([step.note for step in steps])
    notes = [step.note for step in steps]
    return Notification(
        notification_id=window.notification_id,
        submission_id=window.submission_id,
        note=state,
        # in the order the application took them, not the order notify heard of them (each topic is read apart)
        about=tuple(
            dict.fromkeys(note.step for note in sorted((step.note for step in told), key=lambda n: n.progress))
        ),
        verified=any(note.verified for note in notes),
        sender=next((note.citizen_id for note in notes if note.citizen_id), None),
        # The status link comes on the application's first event only, and goes in the message that tells of it.
        status_link=next((step.note.recipient.status_link for step in told if step.note.recipient.status_link), None),
        rating_link=(
            next((note.recipient.rating_link for note in notes if note.recipient.rating_link), None)
            if state.message_type.closes_case
            else None
        ),
    )


def status_event(
    notification: Notification,
    status: NotificationStatus,
    *,
    attempt: int = 0,
    channel: str | None = None,
    reason: str | None = None,
    will_retry: bool = False,
) -> CitizenNotified:
    return CitizenNotified(
        event_id=status_event_id(notification.notification_id, status, attempt),
        submission_id=notification.submission_id,
        notification_id=notification.notification_id,
        message_type=notification.note.message_type,
        status=status,
        about=notification.about,
        channel=channel,
        reason=reason,
        attempt=attempt,
        will_retry=will_retry,
    )
