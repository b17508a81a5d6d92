"""Insights' use cases for the events it reads, a batch of one topic's events at a time (one event is a batch of
one): each event adds its contribution to the aggregates once, however often it comes. The batch's marks are set
first, all at once (the visit's step, the event, or the application's step), and only the contributions of those
not set before are added, summed per bucket. Two writes without a transaction: a crash between them counts those
events too few, never twice (adapters.mongo_marks says why that trade).

The later status events name only the submission, so its service and received time come from the application's
record, kept from SubmissionReceived (or IdentityVerified, which names both too), in the same round trip that
routes or closes the record; that write is made before the mark, and once (a redelivery finds it made). A status
event whose record is not there yet (its topic was read ahead of the received topic) is retried later through the
retry topics, after the rest of its batch was counted; after the last retry it is a dead letter an operator can
replay.

Round trips per batch: a page step, a rating or a failed check 1 + one per bucket (marks, `$inc`s); received or
verified 2 + one per bucket (records, marks, `$inc`s); later status events one per event (the record) + 1 + one per
bucket. A redelivered later status event: one more (is the record there at all?)."""

from collections.abc import Callable, Sequence
from typing import Protocol, TypeVar

from civicflow.insights.domain import applications as steps
from civicflow.insights.domain.applications import Application, Progress, StatusEvent
from civicflow.insights.domain.contributions import Contribution, Mark, of_experience, of_rating
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

S = TypeVar("S", bound=StatusEvent)


class Days(Protocol):
    async def first(self, marks: Sequence[Mark]) -> list[bool]:
        """Set the marks; for each, whether it was not set before (of concurrent callers, exactly one sees True; of
        one mark twice in `marks`, the first)."""

    async def add(self, contributions: Sequence[Contribution]) -> None:
        """Add their counts to their buckets (not idempotent by itself: only after their marks were set first)."""


class Applications(Protocol):
    async def keep(self, applications: Sequence[Application]) -> None:
        """Keep each record; one kept already stays as it was."""

    async def progress(self, changes: Sequence[Progress]) -> list[Application | None]:
        """Write on each record what its event changes (the agency, the end), unless written before, and give the
        record, or None where there is none."""


class NotReceivedYet(TransientFailure):
    """A status event of an application whose received event insights has not read yet."""


async def count_experience(events: Sequence[ExperienceRecorded], days: Days) -> None:
    await _count_once(days, [of_experience(event) for event in events])


async def count_rating(events: Sequence[ServiceRated], days: Days) -> None:
    await _count_once(days, [of_rating(event) for event in events])


async def count_received(events: Sequence[SubmissionReceived], days: Days, applications: Applications) -> None:
    await _keep_and_count([steps.received(event) for event in events], days, applications)


async def count_verified(events: Sequence[IdentityVerified], days: Days, applications: Applications) -> None:
    await _keep_and_count([steps.verified(event) for event in events], days, applications)


async def count_rejected(events: Sequence[IdentityRejected], days: Days, applications: Applications) -> None:
    await _progress_and_count(events, steps.rejected_by_identity, days, applications)


async def count_unroutable(events: Sequence[SubmissionUnroutable], days: Days, applications: Applications) -> None:
    await _progress_and_count(events, steps.unroutable, days, applications)


async def count_clarification(
    events: Sequence[SubmissionNeedsClarification], days: Days, applications: Applications
) -> None:
    await _progress_and_count(events, steps.clarification_needed, days, applications)


async def count_routed(events: Sequence[SubmissionRouted], days: Days, applications: Applications) -> None:
    await _progress_and_count(events, steps.routed, days, applications)


async def count_decided(events: Sequence[SubmissionDecided], days: Days, applications: Applications) -> None:
    await _progress_and_count(events, steps.decided, days, applications)


async def _keep_and_count(
    kept: Sequence[tuple[Application, Mark, Contribution]], days: Days, applications: Applications
) -> None:
    # The records first: a crash after them leaves the marks unset, so a redelivery counts the events then.
    await applications.keep([application for application, _, _ in kept])
    await _count_once(days, [(mark, contribution) for _, mark, contribution in kept])


async def _progress_and_count(
    events: Sequence[S],
    contribution_of: Callable[[S, Application], Contribution],
    days: Days,
    applications: Applications,
) -> None:
    changes = [steps.progress(event) for event in events]
    records = await applications.progress(changes)
    counted = [
        (steps.marked(event, change.mark), contribution_of(event, record))
        for event, change, record in zip(events, changes, records, strict=True)
        if record is not None
    ]
    await _count_once(days, counted)
    if len(counted) < len(events):
        # The rest of the batch is counted: the shared consumers now hand its events on one by one, so that only
        # those without a record are retried (the others find their marks set).
        raise NotReceivedYet("the application's received event has not been counted yet")


async def _count_once(days: Days, counted: Sequence[tuple[Mark, Contribution]]) -> None:
    first = await days.first([mark for mark, _ in counted])
    await days.add([contribution for (_, contribution), new in zip(counted, first, strict=True) if new])
