"""Insights' subscriptions: the page's experience events and the ratings (public topics, no personal data) and the
status events of every application, each counted once into the aggregates.

No processed-event ids are kept: every count is idempotent by itself (handlers: each marks what it counts and
counts only if its mark was not set before)."""

from typing import Any

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


def register_subscribers(consumers: Consumers, days: Days, applications: Applications) -> None:
    for subscription in (*page_subscriptions(days), *pipeline_subscriptions(days, applications)):
        consumers.subscribe(subscription)


def page_subscriptions(days: Days) -> list[Subscription[Any]]:
    """The experience events are no submission's (no submission id) and the subscription's type bound does not name
    them; the consumers need only their event_id, which they carry."""

    async def on_experience(event: ExperienceRecorded) -> None:
        await count_experience(event, days)

    async def on_rating(event: ServiceRated) -> None:
        await count_rating(event, days)

    return [
        Subscription(topics.EXPERIENCE_RECORDED, ExperienceRecorded, on_experience),
        Subscription(topics.SERVICE_RATED, ServiceRated, on_rating),
    ]


def pipeline_subscriptions(days: Days, applications: Applications) -> list[Subscription[Any]]:
    async def on_received(event: SubmissionReceived) -> None:
        await count_received(event, days, applications)

    async def on_verified(event: IdentityVerified) -> None:
        await count_verified(event, days, applications)

    async def on_rejected(event: IdentityRejected) -> None:
        await count_rejected(event, days, applications)

    async def on_routed(event: SubmissionRouted) -> None:
        await count_routed(event, days, applications)

    async def on_unroutable(event: SubmissionUnroutable) -> None:
        await count_unroutable(event, days, applications)

    async def on_clarification(event: SubmissionNeedsClarification) -> None:
        await count_clarification(event, days, applications)

    async def on_decided(event: SubmissionDecided) -> None:
        await count_decided(event, days, applications)

    return [
        Subscription(topics.SUBMISSION_RECEIVED, SubmissionReceived, on_received),
        Subscription(topics.IDENTITY_VERIFIED, IdentityVerified, on_verified),
        Subscription(topics.IDENTITY_REJECTED, IdentityRejected, on_rejected),
        Subscription(topics.SUBMISSION_ROUTED, SubmissionRouted, on_routed),
        Subscription(topics.SUBMISSION_UNROUTABLE, SubmissionUnroutable, on_unroutable),
        Subscription(topics.CLARIFICATION_NEEDED, SubmissionNeedsClarification, on_clarification),
        Subscription(topics.SUBMISSION_DECIDED, SubmissionDecided, on_decided),
    ]
