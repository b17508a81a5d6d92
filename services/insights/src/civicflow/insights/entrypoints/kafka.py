"""Insights' subscriptions: the page's experience events and the ratings (public topics, no personal data) and the
status events of every application, each counted once into the aggregates.

Each subscription hands its handler whole batches (a few round trips per batch: handlers), and one event at a time
as a batch of one, which the shared consumers fall back to when a batch fails for its events (so that only those
are set back). No processed-event ids are kept: every count is idempotent by itself (handlers: each marks what it
counts and counts only what was not marked before)."""

from collections.abc import Awaitable, Callable, Sequence
from typing import Any, TypeVar

from civicflow.insights.handlers import (
    Applications,
    Days,
    count_clarification,
    count_decided,
    count_experience,
    count_rating,
    count_received,
    count_rejected,
    count_routed,
    count_unroutable,
    count_verified,
)
from civicflow.shared import topics
from civicflow.shared.events import (
    ExperienceRecorded,
    IdentityRejected,
    IdentityVerified,
    SubmissionDecided,
    SubmissionNeedsClarification,
    SubmissionReceived,
    SubmissionRouted,
    SubmissionUnroutable,
)
from civicflow.shared.events.experience import ServiceRated
from civicflow.shared.messaging import Consumers, Subscription

T = TypeVar("T")


def register_subscribers(consumers: Consumers, days: Days, applications: Applications) -> None:
    for subscription in (*page_subscriptions(days), *pipeline_subscriptions(days, applications)):
        consumers.subscribe(subscription)


def page_subscriptions(days: Days) -> list[Subscription[Any]]:
    """The experience events are no submission's (no submission id) and the subscription's type bound does not name
    them; the consumers need only their event_id, which they carry."""

    async def on_experience(events: Sequence[ExperienceRecorded]) -> None:
        await count_experience(events, days)

    async def on_rating(events: Sequence[ServiceRated]) -> None:
        await count_rating(events, days)

    return [
        _batched(topics.EXPERIENCE_RECORDED, ExperienceRecorded, on_experience),
        _batched(topics.SERVICE_RATED, ServiceRated, on_rating),
    ]


def pipeline_subscriptions(days: Days, applications: Applications) -> list[Subscription[Any]]:
    async def on_received(events: Sequence[SubmissionReceived]) -> None:
        await count_received(events, days, applications)

    async def on_verified(events: Sequence[IdentityVerified]) -> None:
        await count_verified(events, days, applications)

    async def on_rejected(events: Sequence[IdentityRejected]) -> None:
        await count_rejected(events, days, applications)

    async def on_routed(events: Sequence[SubmissionRouted]) -> None:
        await count_routed(events, days, applications)

    async def on_unroutable(events: Sequence[SubmissionUnroutable]) -> None:
        await count_unroutable(events, days, applications)

    async def on_clarification(events: Sequence[SubmissionNeedsClarification]) -> None:
        await count_clarification(events, days, applications)

    async def on_decided(events: Sequence[SubmissionDecided]) -> None:
        await count_decided(events, days, applications)

    return [
        _batched(topics.SUBMISSION_RECEIVED, SubmissionReceived, on_received),
        _batched(topics.IDENTITY_VERIFIED, IdentityVerified, on_verified),
        _batched(topics.IDENTITY_REJECTED, IdentityRejected, on_rejected),
        _batched(topics.SUBMISSION_ROUTED, SubmissionRouted, on_routed),
        _batched(topics.SUBMISSION_UNROUTABLE, SubmissionUnroutable, on_unroutable),
        _batched(topics.CLARIFICATION_NEEDED, SubmissionNeedsClarification, on_clarification),
        _batched(topics.SUBMISSION_DECIDED, SubmissionDecided, on_decided),
    ]


def _batched(topic: str, event_type: type[T], count: Callable[[Sequence[T]], Awaitable[None]]) -> Subscription[Any]:
    async def one(event: T) -> None:
        await count([event])

    return Subscription[Any](topic, event_type, one, handle_batch=count)
