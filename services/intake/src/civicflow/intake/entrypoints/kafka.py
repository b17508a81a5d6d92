"""Intake's subscriptions: every status event becomes a step in its submission's timeline."""

from collections.abc import Sequence

from civicflow.intake.handlers import Submissions, record_steps
from civicflow.shared import topics
from civicflow.shared.events import (
    CitizenNotified,
    IdentityRejected,
    IdentityVerified,
    StatusEvent,
    SubmissionRouted,
    SubmissionUnroutable,
)
from civicflow.shared.messaging import Consumers, Subscription

TimelineEvent = StatusEvent | CitizenNotified
TIMELINE_SOURCES: dict[str, type[StatusEvent] | type[CitizenNotified]] = {
    topics.IDENTITY_VERIFIED: IdentityVerified,
    topics.IDENTITY_REJECTED: IdentityRejected,
    topics.SUBMISSION_ROUTED: SubmissionRouted,
    topics.SUBMISSION_UNROUTABLE: SubmissionUnroutable,
    topics.CITIZEN_NOTIFIED: CitizenNotified,
}


def register_subscribers(consumers: Consumers, submissions: Submissions) -> None:
    async def on_steps(events: Sequence[TimelineEvent]) -> None:
        await record_steps(events, submissions)

    async def on_step(event: TimelineEvent) -> None:
        await record_steps([event], submissions)

    for topic, event_type in TIMELINE_SOURCES.items():
        # A timeline entry is keyed by its event id, so writing one twice keeps one: no de-duplication needed.
        consumers.subscribe(Subscription(topic, event_type, on_step, handle_batch=on_steps))
