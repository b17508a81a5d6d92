"""Intake's use cases: accept a submission, and keep its status timeline from the pipeline's events."""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol
from uuid import UUID, uuid4

from civicflow.intake.domain.outbox import OutgoingEvent
from civicflow.intake.domain.submission import SubmissionRecord, TimelineEntry, new_status_token
from civicflow.intake.domain.timeline import timeline_entry
from civicflow.intake.domain.validation import ValidSubmission
from civicflow.shared import topics
from civicflow.shared.events import CitizenNotified, Recipient, StatusEvent, SubmissionReceived, personal
from civicflow.shared.security.sealing import Sealer


class Submissions(Protocol):
    async def add(self, record: SubmissionRecord, outgoing: OutgoingEvent) -> None:
        """The submission and the event announcing it, in one document write: both are kept, or neither."""

    async def get(self, submission_id: UUID) -> SubmissionRecord | None: ...

    async def record_steps(self, entries: Sequence[TimelineEntry]) -> None:
        """Keep the entries not kept yet (one per event id)."""


class Relay(Protocol):
    def handoff(self, outgoing: OutgoingEvent) -> None:
        """Publish soon; the stored copy is published anyway if this one is lost."""


class SubmissionNotStored(Exception):
    """The submission could not be stored; nothing was kept, and the citizen may safely retry."""


@dataclass(frozen=True)
class TraceContext:
    trace_id: str | None
    headers: dict[str, str]


@dataclass(frozen=True)
class Accepted:
    submission_id: UUID
    status: str
    status_token: str


async def accept_submission(
    valid: ValidSubmission, submissions: Submissions, relay: Relay, sealer: Sealer, trace: TraceContext
) -> Accepted:
    """Accepted means stored: the event is published from the stored copy (an outbox), even when Kafka is down.
    Its personal data is sealed for the services that need it (events.personal)."""
    request = valid.request
    token, token_hash = new_status_token()
    submission_id = uuid4()
    event = SubmissionReceived(
        submission_id=submission_id,
        recipient=Recipient(
            address=sealer.seal(personal.CONTACT_ADDRESS, request.applicant.email, submission_id),
            language=request.applicant.language,
        ),
        service_id=valid.service.service_id,
        applicant=sealer.seal(personal.APPLICANT, request.applicant, submission_id),
        form=sealer.seal(personal.FORM, valid.form, submission_id),
        identity_token=sealer.seal(personal.IDENTITY_TOKEN, request.identity_token, submission_id),
    )
    record = SubmissionRecord(
        submission_id=event.submission_id,
        service_id=event.service_id,
        status_token_hash=token_hash,
        trace_id=trace.trace_id,
        received_at=event.occurred_at,
        applicant=request.applicant.model_dump(mode="json"),
        form=valid.form,
        timeline=(timeline_entry(event),),
    )
    key = str(event.submission_id)
    outgoing = OutgoingEvent(
        event.submission_id, topics.SUBMISSION_RECEIVED, key, event.model_dump_json().encode(), trace.headers
    )
    try:
        await submissions.add(record, outgoing)
    except Exception as error:
        raise SubmissionNotStored from error
    relay.handoff(outgoing)
    return Accepted(submission_id=event.submission_id, status=record.status, status_token=token)


async def record_steps(events: Sequence[StatusEvent | CitizenNotified], submissions: Submissions) -> None:
    await submissions.record_steps([timeline_entry(event) for event in events])
