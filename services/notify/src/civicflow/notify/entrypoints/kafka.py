"""Notify's subscriptions: every step the citizen may hear of (kept, and a window opened), and its own due
notifications (sent)."""

from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime

from civicflow.notify.domain.notifications import NotificationStore
from civicflow.notify.domain.policy import NotificationPolicy
from civicflow.notify.handlers.coalescing import keep_steps
from civicflow.notify.handlers.forgetting import forget_citizen
from civicflow.shared import topics
from civicflow.shared.events import (
    ErasureRequested,
    IdentityRejected,
    IdentityVerified,
    NotificationDue,
    StatusEvent,
    SubmissionDecided,
    SubmissionNeedsClarification,
    SubmissionReceived,
    SubmissionRouted,
    SubmissionUnroutable,
)
from civicflow.shared.messaging import Consumers, Subscription

STEP_SOURCES: dict[str, type[StatusEvent]] = {
    topics.SUBMISSION_RECEIVED: SubmissionReceived,
    topics.IDENTITY_VERIFIED: IdentityVerified,
    topics.IDENTITY_REJECTED: IdentityRejected,
    topics.SUBMISSION_ROUTED: SubmissionRouted,
    topics.SUBMISSION_UNROUTABLE: SubmissionUnroutable,
    topics.CLARIFICATION_NEEDED: SubmissionNeedsClarification,
    topics.SUBMISSION_DECIDED: SubmissionDecided,
}


def register_subscribers(
    consumers: Consumers,
    store: NotificationStore,
    policy: NotificationPolicy,
    send: Callable[[NotificationDue], Awaitable[None]],
    window_opened: Callable[[datetime], None],
) -> None:
    async def on_steps(events: Sequence[StatusEvent]) -> None:
        due = await keep_steps(events, store, policy, datetime.now(UTC))
        if due is not None:
            window_opened(due)

    async def on_step(event: StatusEvent) -> None:
        await on_steps([event])

    # Keeping a step and opening a window are inserts by id: a redelivered step changes nothing, so no record of
    # processed events is needed. Sending is guarded by the notification's own record (sending.Sending). A batch is
    # kept in one write; each step keeps the trace context of its own processing span, for the message it leads to.
    for topic, event_type in STEP_SOURCES.items():
        consumers.subscribe(Subscription(topic, event_type, on_step, handle_batch=on_steps))
    consumers.subscribe(Subscription(topics.NOTIFICATION_DUE, NotificationDue, send))

    async def on_erasure(event: ErasureRequested) -> None:
        await forget_citizen(event, store)

    consumers.subscribe(Subscription(topics.ERASURE_REQUESTED, ErasureRequested, on_erasure))
