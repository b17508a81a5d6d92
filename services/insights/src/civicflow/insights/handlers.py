"""Insights' use cases for the events it reads: each adds its contribution to the aggregates once, however often it
comes: it marks what it counts first (the visit's step, the event, or the application's step) and adds its counts
only if the mark was not set before. Two writes without a transaction: a crash between them counts that one event
too few, never twice (adapters.mongo_marks says why that trade).

The later status events name only the submission, so its service and received time come from the application's
record, kept from SubmissionReceived (or IdentityVerified, which names both too), in the same round trip that marks
the step (and routes or closes the record). A status event whose record is not there yet (its topic was read ahead
of the received topic) is retried later through the retry topics; after the last retry it is a dead letter an
operator can replay.

Round trips per event, the first time: a page step, a rating or a failed check 2 (mark, `$inc`); received or
verified 2 (keep and mark, `$inc`); any later status event 2 (mark and read the record, `$inc`). A redelivery:
1, or 2 for a later status event (is the record there at all?)."""

from typing import Protocol
from uuid import UUID

from civicflow.insights.domain import applications as steps
from civicflow.insights.domain.applications import Application, Progress, StatusEvent
from civicflow.insights.domain.contributions import Contribution, Mark, of_experience, of_rating
from civicflow.insights.domain.measures import FunnelStep
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
from civicflow.shared.messaging import TransientFailure


class Days(Protocol):
    async def add(self, contribution: Contribution) -> None:
        """Add its counts to its bucket (not idempotent by itself: only after its mark was set first)."""

    async def first(self, mark: Mark) -> bool:
        """Set the mark of a page step or an event; whether it was not set before (of concurrent callers, exactly
        one sees True)."""


class Applications(Protocol):
    async def keep(self, application: Application, mark: str) -> bool:
        """Keep the record (as first kept, if kept already) and set the mark; whether it was not set before."""

    async def progress(self, progress: Progress) -> Application | None:
        """Set the mark with what the event changes (the agency, the end) and give the record as it was, or None if
        the mark was set before or there is no record."""

    async def known(self, submission_id: UUID) -> bool: ...


class NotReceivedYet(TransientFailure):
    """A status event of an application whose received event insights has not read yet."""


async def count_experience(event: ExperienceRecorded, days: Days) -> None:
    mark, contribution = of_experience(event)
    if await days.first(mark):
        await days.add(contribution)


async def count_rating(event: ServiceRated, days: Days) -> None:
    mark, contribution = of_rating(event)
    if await days.first(mark):
        await days.add(contribution)


async def count_received(event: SubmissionReceived, days: Days, applications: Applications) -> None:
    application, contribution = steps.received(event)
    if await applications.keep(application, FunnelStep.RECEIVED):
        await days.add(contribution)


async def count_verified(event: IdentityVerified, days: Days, applications: Applications) -> None:
    application, contribution = steps.verified(event)
    if await applications.keep(application, FunnelStep.VERIFIED):
        await days.add(contribution)


async def count_rejected(event: IdentityRejected, days: Days, applications: Applications) -> None:
    if application := await _progress(event, applications):
        await days.add(steps.rejected_by_identity(event, application))


async def count_unroutable(event: SubmissionUnroutable, days: Days, applications: Applications) -> None:
    if application := await _progress(event, applications):
        await days.add(steps.unroutable(event, application))


async def count_clarification(event: SubmissionNeedsClarification, days: Days, applications: Applications) -> None:
    if application := await _progress(event, applications):
        await days.add(steps.clarification_needed(event, application))


async def count_routed(event: SubmissionRouted, days: Days, applications: Applications) -> None:
    if application := await _progress(event, applications):
        await days.add(steps.routed(event, application))


async def count_decided(event: SubmissionDecided, days: Days, applications: Applications) -> None:
    if application := await _progress(event, applications):
        await days.add(steps.decided(event, application))


async def _progress(event: StatusEvent, applications: Applications) -> Application | None:
    """The record as it was, if this event is the first to mark its step; None if counted already."""
    found = await applications.progress(steps.progress(event))
    if found is None and not await applications.known(event.submission_id):
        raise NotReceivedYet("the application's received event has not been counted yet")
    return found
