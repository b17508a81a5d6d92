"""Intake's use cases: accept a submission, and keep its status timeline from the pipeline's events."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Protocol
from uuid import UUID, uuid4

from civicflow.intake.domain.idempotency import Claim, IdempotencyKeyReused, IdempotentRequest, new_claim
from civicflow.intake.domain.outbox import OutgoingEvent
from civicflow.intake.domain.submission import (
    SubmissionRecord,
    TimelineEntry,
    hash_status_token,
    new_status_token,
)
from civicflow.intake.domain.timeline import timeline_entry
from civicflow.intake.domain.validation import ValidSubmission
from civicflow.shared import topics
from civicflow.shared.events import CitizenNotified, Recipient, StatusEvent, SubmissionReceived, personal
from civicflow.shared.security.sealing import Sealer


class Submissions(Protocol):
    async def add(self, record: SubmissionRecord, outgoing: OutgoingEvent) -> bool:
        """The submission and the event announcing it, in one document write: both are kept, or neither. False when
        a submission with this id is kept already (an idempotent retry stored it first)."""

    async def claim(self, claim: Claim) -> Claim | None:
        """Keep the claim unless one with its key id is kept already; None when this one was kept, else that one."""

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
    valid: ValidSubmission,
    submissions: Submissions,
    relay: Relay,
    sealer: Sealer,
    trace: TraceContext,
    idempotent: IdempotentRequest | None = None,
) -> Accepted:
    """Accepted means stored: the event is published from the stored copy (an outbox), even when Kafka is down.
    Its personal data is sealed for the services that need it (events.personal). With an idempotency key, every
    copy of the request stores (at most) the one submission the key was first claimed for, and answers alike."""
    request = valid.request
    token, token_hash = new_status_token()
    submission_id = uuid4()
    if idempotent is not None:
        submission_id, token = await _claimed(idempotent, submissions, submission_id, token)
        token_hash = hash_status_token(token)
    event = SubmissionReceived(
        submission_id=submission_id,
        recipient=Recipient(
            address=sealer.seal(personal.CONTACT_ADDRESS, request.applicant.email, submission_id),
            language=request.applicant.language,
        ),
        service_id=valid.service.service_id,
        applicant=sealer.seal(personal.APPLICANT, request.applicant, submission_id),
        form=sealer.seal(personal.FORM, valid.form, submission_id),
        minimum_level_of_assurance=valid.service.minimum_level_of_assurance,
        identity_token=(
            None
            if request.identity_token is None
            else sealer.seal(personal.IDENTITY_TOKEN, request.identity_token, submission_id)
        ),
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
        stored_now = await submissions.add(record, outgoing)
    except Exception as error:
        raise SubmissionNotStored from error
    if stored_now:
        relay.handoff(outgoing)
    return Accepted(submission_id=event.submission_id, status=record.status, status_token=token)


async def _claimed(
    idempotent: IdempotentRequest, submissions: Submissions, submission_id: UUID, token: str
) -> tuple[UUID, str]:
    """The submission id and status token this key stands for: ours, if we claimed it first."""
    claim = new_claim(idempotent.key, idempotent.body_hash, submission_id, token, datetime.now(UTC))
    try:
        earlier = await submissions.claim(claim)
    except Exception as error:
        raise SubmissionNotStored from error
    if earlier is None:
        return submission_id, token
    if earlier.body_hash != idempotent.body_hash:
        raise IdempotencyKeyReused("this Idempotency-Key was used with another request body")
    return earlier.submission_id, earlier.status_token(idempotent.key)


async def record_steps(events: Sequence[StatusEvent | CitizenNotified], submissions: Submissions) -> None:
    await submissions.record_steps([timeline_entry(event) for event in events])
