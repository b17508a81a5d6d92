"""The status events of one application, and what each adds to the aggregates.

Only SubmissionReceived and IdentityVerified name the service; the later events name only the submission. So
insights keeps a small record per application (Application: its service, when it was received, its agency once
routed), nothing personal, for as long as the application is open (adapters.mongo_applications says how long).

Each status event has its mark (ApplicationStep), and only the first to set it adds its contribution. A step an
application goes through once is marked by its name; what may come more than once (a request for clarification or
for information) by its event id. What a later event changes on the record (Progress: the agency, the end) is
written before its mark is set, and only once: the first routing and the first end stay."""

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from civicflow.insights.domain.contributions import (
    NO_AGENCY,
    ApplicationStep,
    Bucket,
    Contribution,
    agency_rejection,
    day_of,
    rejection,
    seconds_between,
)
from civicflow.insights.domain.measures import Duration, FunnelStep, Outcome, RejectedBy
from civicflow.shared.events import (
    IdentityRejected,
    IdentityVerified,
    SubmissionDecided,
    SubmissionNeedsClarification,
    SubmissionReceived,
    SubmissionRouted,
    SubmissionUnroutable,
)


@dataclass(frozen=True)
class Application:
    submission_id: UUID
    service_id: str
    received_at: datetime
    agency_id: str | None = None


@dataclass(frozen=True)
class Progress:
    """What a later status event changes on its application's record (the agency, the end), and its mark."""

    submission_id: UUID
    mark: str
    agency_id: str | None = None
    routed_at: datetime | None = None
    closed_at: datetime | None = None


StatusEvent = (
    IdentityRejected | SubmissionUnroutable | SubmissionNeedsClarification | SubmissionRouted | SubmissionDecided
)
# The marks of the steps an application goes through once (FunnelStep's values for received … decided).
IDENTITY_REJECTED, UNROUTABLE = "identity_rejected", "unroutable"


def received(event: SubmissionReceived) -> tuple[Application, ApplicationStep, Contribution]:
    application = Application(event.submission_id, event.service_id, event.occurred_at)
    step = FunnelStep.RECEIVED
    return application, marked(event, step), _service_wide(application, event.occurred_at, step)


def verified(event: IdentityVerified) -> tuple[Application, ApplicationStep, Contribution]:
    application = Application(event.submission_id, event.service_id, event.received_at)
    step = FunnelStep.VERIFIED
    return application, marked(event, step), _service_wide(application, event.occurred_at, step)


def marked(event: SubmissionReceived | IdentityVerified | StatusEvent, mark: str) -> ApplicationStep:
    return ApplicationStep(str(event.submission_id), mark, day_of(event.occurred_at))


def progress(event: StatusEvent) -> Progress:
    at = event.occurred_at
    if isinstance(event, SubmissionRouted):
        return Progress(event.submission_id, FunnelStep.ROUTED, agency_id=event.agency_id, routed_at=at)
    if isinstance(event, SubmissionDecided) and event.closes_case:
        return Progress(event.submission_id, FunnelStep.DECIDED, closed_at=at)
    if isinstance(event, IdentityRejected):
        return Progress(event.submission_id, IDENTITY_REJECTED, closed_at=at)
    if isinstance(event, SubmissionUnroutable):
        return Progress(event.submission_id, UNROUTABLE, closed_at=at)
    return Progress(event.submission_id, str(event.event_id))


def rejected_by_identity(event: IdentityRejected, application: Application) -> Contribution:
    bucket = Bucket(application.service_id, NO_AGENCY, day_of(event.occurred_at))
    return Contribution(bucket, rejections=(rejection(RejectedBy.IDENTITY, event.reason),))


def unroutable(event: SubmissionUnroutable, application: Application) -> Contribution:
    bucket = Bucket(application.service_id, NO_AGENCY, day_of(event.occurred_at))
    return Contribution(bucket, rejections=(rejection(RejectedBy.ROUTING, event.reason),))


def clarification_needed(event: SubmissionNeedsClarification, application: Application) -> Contribution:
    bucket = Bucket(application.service_id, NO_AGENCY, day_of(event.occurred_at))
    return Contribution(bucket, outcomes=(Outcome.CLARIFICATION_NEEDED,))


def routed(event: SubmissionRouted, application: Application) -> Contribution:
    return Contribution(
        Bucket(application.service_id, event.agency_id, day_of(event.occurred_at)),
        funnel=(FunnelStep.ROUTED,),
        durations={Duration.TO_ROUTE: seconds_between(application.received_at, event.occurred_at)},
    )


def decided(event: SubmissionDecided, application: Application) -> Contribution:
    """Accepted or rejected closes the application (its time to decision counts); a request for information
    leaves it open."""
    bucket = Bucket(application.service_id, event.agency_id, day_of(event.occurred_at))
    if not event.closes_case:
        return Contribution(bucket, outcomes=(Outcome.INFORMATION_REQUESTED,))
    took = {Duration.TO_DECISION: seconds_between(application.received_at, event.occurred_at)}
    if event.outcome == "accepted":
        return Contribution(bucket, funnel=(FunnelStep.DECIDED,), outcomes=(Outcome.ACCEPTED,), durations=took)
    return Contribution(bucket, funnel=(FunnelStep.DECIDED,), rejections=(agency_rejection(),), durations=took)


def _service_wide(application: Application, at: datetime, step: FunnelStep) -> Contribution:
    return Contribution(Bucket(application.service_id, NO_AGENCY, day_of(at)), funnel=(step,))
