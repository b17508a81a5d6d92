"""What one event adds to the aggregates: one bucket (service, agency, day) and the counts and durations it adds
there, and what makes it count once (its mark). Pure: the adapters add the contributions of a batch whose marks
were set for the first time, summed per bucket, as one `$inc` of each bucket's document (adapters.mongo_days); the
marks are set by adapters.mongo_marks.

Only codes and numbers: the service key, the agency id, the step, a reason code, a field's JSON Pointer, a score,
a duration. No event's sealed part is read (insights has no keys), and nothing names a citizen."""

from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Final

from civicflow.insights.domain.measures import (
    AGENCY_REJECTION,
    Duration,
    FunnelStep,
    Outcome,
    RejectedBy,
)
from civicflow.shared.events import ExperienceKind, ExperienceRecorded
from civicflow.shared.events.experience import ServiceRated

# The agency of what happens before routing chose one (the page, identity, routing's refusals) and of the ratings,
# which name no agency.
NO_AGENCY: Final = ""


@dataclass(frozen=True, order=True)
class Bucket:
    service_id: str
    agency_id: str
    day: date


@dataclass(frozen=True)
class VisitStep:
    """A step of one visit of the page: it counts once per visit (journey), however often the page reports it."""

    journey_id: str
    step: str
    day: date


@dataclass(frozen=True)
class EventOnce:
    """An event that counts once by its id (a rating, a failed check)."""

    event_id: str
    day: date


@dataclass(frozen=True)
class ApplicationStep:
    """A step of one application (domain.applications): `mark` is the step's name for a step it goes through once,
    the event id for what may come more than once (a request for clarification or for information)."""

    submission_id: str
    mark: str
    day: date


Mark = VisitStep | EventOnce | ApplicationStep


@dataclass(frozen=True)
class Contribution:
    """Counters to add, never a value per event: the durations go into their histogram bucket
    (domain.percentiles)."""

    bucket: Bucket
    funnel: tuple[FunnelStep, ...] = ()
    outcomes: tuple[Outcome, ...] = ()
    # "<RejectedBy>:<reason code>"
    rejections: tuple[str, ...] = ()
    error_fields: tuple[str, ...] = ()
    scores: tuple[str, ...] = ()
    durations: dict[Duration, float] = field(default_factory=dict)


def day_of(at: datetime) -> date:
    """The day an event counts for: its own time, in UTC (the events carry aware UTC times)."""
    return at.astimezone(UTC).date() if at.tzinfo is not None else at.date()


def of_experience(event: ExperienceRecorded) -> tuple[Mark, Contribution]:
    day = day_of(event.occurred_at)
    bucket = Bucket(event.service_id, NO_AGENCY, day)
    if event.kind is ExperienceKind.VALIDATION_FAILED:
        assert event.field is not None  # the event's own validator makes sure
        return EventOnce(str(event.event_id), day), Contribution(bucket, error_fields=(event.field,))
    step = VisitStep(str(event.journey_id), event.kind.value, day)
    if event.kind is ExperienceKind.ABANDONED:
        return step, Contribution(bucket, outcomes=(Outcome.ABANDONED,))
    return step, Contribution(bucket, funnel=(FunnelStep(event.kind.value),))


def of_rating(event: ServiceRated) -> tuple[Mark, Contribution]:
    day = day_of(event.occurred_at)
    commented = (Outcome.COMMENTED,) if event.commented else ()
    bucket = Bucket(event.service_id, NO_AGENCY, day)
    return EventOnce(str(event.event_id), day), Contribution(bucket, scores=(str(event.score),), outcomes=commented)


def rejection(by: RejectedBy, reason: str) -> str:
    return f"{by}:{reason}"


def agency_rejection() -> str:
    return rejection(RejectedBy.AGENCY, AGENCY_REJECTION)


def seconds_between(start: datetime, end: datetime) -> float:
    """Never negative: clocks of two services may differ by a little."""
    return max(0.0, (end - start).total_seconds())
