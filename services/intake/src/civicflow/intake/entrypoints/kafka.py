"""Intake's subscriptions: every status event becomes a step in its submission's timeline (the agency's decision with
its reason), each verified submission is linked to its citizen, and each profile identity publishes is kept as the
citizen's copy."""

from collections.abc import Sequence

from civicflow.intake.handlers import Submissions, record_decisions, record_steps
from civicflow.intake.profiles import ProfileCopies, keep_published, link_submissions
from civicflow.shared import topics
from civicflow.shared.events import (
    CitizenNotified,
    IdentityRejected,
    IdentityVerified,
    ProfileSaved,
    StatusEvent,
    SubmissionDecided,
    SubmissionNeedsClarification,
    SubmissionRouted,
    SubmissionUnroutable,
)
from civicflow.shared.messaging import Consumers, Subscription
from civicflow.shared.security.sealing import Sealer

TimelineEvent = StatusEvent | CitizenNotified
TIMELINE_SOURCES: dict[str, type[StatusEvent] | type[CitizenNotified]] = {
    topics.IDENTITY_REJECTED: IdentityRejected,
    topics.SUBMISSION_ROUTED: SubmissionRouted,
    topics.SUBMISSION_UNROUTABLE: SubmissionUnroutable,
    topics.CLARIFICATION_NEEDED: SubmissionNeedsClarification,
    topics.CITIZEN_NOTIFIED: CitizenNotified,
}


def register_subscribers(consumers: Consumers, submissions: Submissions, copies: ProfileCopies, sealer: Sealer) -> None:
    async def on_steps(events: Sequence[TimelineEvent]) -> None:
        await record_steps(events, submissions)

    async def on_step(event: TimelineEvent) -> None:
        await record_steps([event], submissions)

    for topic, event_type in TIMELINE_SOURCES.items():
        # A timeline entry is keyed by its event id, so writing one twice keeps one: no de-duplication needed.
        consumers.subscribe(Subscription(topic, event_type, on_step, handle_batch=on_steps))

    async def on_decisions(events: Sequence[SubmissionDecided]) -> None:
        await record_decisions(events, submissions, sealer)

    async def on_decision(event: SubmissionDecided) -> None:
        await record_decisions([event], submissions, sealer)

    # Keyed by event id like every timeline entry: a redelivery writes nothing new.
    consumers.subscribe(Subscription(topics.SUBMISSION_DECIDED, SubmissionDecided, on_decision, on_decisions))

    async def on_verified(events: Sequence[IdentityVerified]) -> None:
        # Both keyed by what they record (the event id; citizen and submission), so a redelivery writes nothing.
        await record_steps(events, submissions)
        await link_submissions(events, copies, submissions)

    async def on_one_verified(event: IdentityVerified) -> None:
        await on_verified([event])

    consumers.subscribe(Subscription(topics.IDENTITY_VERIFIED, IdentityVerified, on_one_verified, on_verified))

    async def on_profiles(events: Sequence[ProfileSaved]) -> None:
        await keep_published(events, copies, sealer)

    async def on_profile(event: ProfileSaved) -> None:
        await keep_published([event], copies, sealer)

    # A version kept twice is kept once (ProfileCopies.save keeps only a newer one).
    consumers.subscribe(Subscription(topics.PROFILE_SAVED, ProfileSaved, on_profile, handle_batch=on_profiles))
