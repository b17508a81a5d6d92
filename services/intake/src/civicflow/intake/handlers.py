"""Intake's use cases: accept a submission, and keep its status timeline from the pipeline's events."""

import logging
from dataclasses import dataclass
from typing import Protocol
from uuid import UUID, uuid4

from civicflow.intake.domain.submission import SubmissionRecord, TimelineEntry, new_status_token
from civicflow.intake.domain.timeline import timeline_entry
from civicflow.intake.domain.validation import ValidSubmission
from civicflow.shared import topics
from civicflow.shared.events import CitizenNotified, Recipient, StatusEvent, SubmissionReceived
from civicflow.shared.kafka import EventPublisher

logger = logging.getLogger(__name__)


class Submissions(Protocol):
    async def add(self, record: SubmissionRecord) -> None: ...

    async def remove(self, submission_id: UUID) -> None: ...

    async def get(self, submission_id: UUID) -> SubmissionRecord | None: ...

    async def record_step(self, submission_id: UUID, entry: TimelineEntry) -> bool: ...


class SubmissionNotForwarded(Exception):
    """The submission could not be handed on; it was not kept, and the citizen may safely retry."""


@dataclass(frozen=True)
class Accepted:
    submission_id: UUID
    status: str
    status_token: str


async def accept_submission(
    valid: ValidSubmission, submissions: Submissions, publisher: EventPublisher, trace_id: str | None
) -> Accepted:
    request = valid.request
    token, token_hash = new_status_token()
    event = SubmissionReceived(
        submission_id=uuid4(),
        recipient=Recipient.of(request.applicant),
        service_id=valid.service.service_id,
        applicant=request.applicant,
        form=valid.form,
        identity_token=request.identity_token,
    )
    record = SubmissionRecord(
        submission_id=event.submission_id,
        service_id=event.service_id,
        status_token_hash=token_hash,
        trace_id=trace_id,
        received_at=event.occurred_at,
        applicant=request.applicant.model_dump(mode="json"),
        form=valid.form,
        timeline=(timeline_entry(event),),
    )
    await submissions.add(record)
    try:
        await publisher.publish(topics.SUBMISSION_RECEIVED, event, key=str(event.submission_id))
    except Exception as error:
        # Until the outbox lands, a submission is either stored and forwarded, or neither.
        await submissions.remove(event.submission_id)
        raise SubmissionNotForwarded from error
    return Accepted(submission_id=event.submission_id, status=record.status, status_token=token)


async def record_step(event: StatusEvent | CitizenNotified, submissions: Submissions) -> None:
    if not await submissions.record_step(event.submission_id, timeline_entry(event)):
        logger.warning("status event %s for unknown submission %s", event.event_id, event.submission_id)
