"""Intake's use cases: accept a submission, and keep its status timeline from the pipeline's events."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol
from uuid import UUID, uuid4

from opentelemetry import propagate, trace
from opentelemetry.trace import get_current_span

from civicflow.intake.domain.attachment_list import ListIssue, RefIssue, check_stored
from civicflow.intake.domain.attachments import AttachmentsNotBindable, CheckedUpload, StoredAttachment
from civicflow.intake.domain.idempotency import Claim, IdempotencyKeyReused, IdempotentRequest, new_claim
from civicflow.intake.domain.outbox import OutgoingEvent
from civicflow.intake.domain.retention import Closing, closings
from civicflow.intake.domain.submission import (
    SubmissionRecord,
    TimelineEntry,
    hash_status_token,
    new_status_token,
)
from civicflow.intake.domain.timeline import decision_entry, timeline_entry
from civicflow.intake.domain.validation import ValidSubmission
from civicflow.shared import topics
from civicflow.shared.events import (
    AttachmentRef,
    ChannelChoice,
    CitizenNotified,
    Recipient,
    StatusEvent,
    SubmissionDecided,
    SubmissionReceived,
    personal,
)
from civicflow.shared.security.sealing import Sealed, Sealer
from civicflow.shared.traces.jaeger import SUBMISSION_ID_ATTRIBUTE


class Submissions(Protocol):
    async def add(self, record: SubmissionRecord, outgoing: OutgoingEvent) -> bool:
        """The submission and the event announcing it, in one document write: both are kept, or neither. False when
        a submission with this id is kept already (an idempotent retry stored it first)."""

    async def claim(self, claim: Claim) -> Claim | None:
        """Keep the claim unless one with its key id is kept already; None when this one was kept, else that one."""

    async def get(self, submission_id: UUID) -> SubmissionRecord | None: ...

    async def record_steps(self, entries: Sequence[TimelineEntry]) -> None:
        """Keep the entries not kept yet (one per event id)."""

    async def anonymise(self, submission_ids: Sequence[UUID]) -> None:
        """Forget the personal data of these submissions (the applicant, the form, the pending event that seals
        them); their service, status timeline and status token hash stay, so the status link still answers."""

    async def note_closed(self, closings: Sequence[Closing]) -> None:
        """Keep when each of these applications closed (the first closing of each), for the retention."""


class Attachments(Protocol):
    async def put(self, service_id: str, upload: CheckedUpload) -> AttachmentRef:
        """Keep the file, pending until a submission binds it."""

    async def find(self, attachment_ids: Sequence[UUID]) -> dict[UUID, StoredAttachment]: ...

    async def bind(self, attachment_ids: Sequence[UUID], submission_id: UUID) -> None:
        """Raises AttachmentsNotBindable naming those another submission holds or that are gone."""


class AttachmentsInvalid(Exception):
    """The submission names attachments that are not kept as named (each issue by its position in the list)."""

    def __init__(self, issues: list[RefIssue]) -> None:
        super().__init__(f"{len(issues)} attachment issue(s)")
        self.issues = issues


class Relay(Protocol):
    def handoff(self, outgoing: OutgoingEvent) -> None:
        """Publish soon; the stored copy is published anyway if this one is lost."""


class SubmissionNotStored(Exception):
    """The submission could not be stored; nothing was kept, and the citizen may safely retry."""


@dataclass(frozen=True)
class TraceContext:
    trace_id: str | None
    headers: dict[str, str]

    @classmethod
    def current(cls) -> "TraceContext":
        """The trace of the request being answered (the API's or the page's): the submission's trace goes on in
        it, and its id is kept with the submission (`civicflow trace` finds it there)."""
        context = trace.get_current_span().get_span_context()
        headers: dict[str, str] = {}
        propagate.inject(headers)
        return cls(format(context.trace_id, "032x") if context.is_valid else None, headers)


@dataclass(frozen=True)
class Accepted:
    submission_id: UUID
    status: str
    status_token: str
    # False when this was a copy of a request that stored the submission before (the same Idempotency-Key).
    stored_now: bool = True


@dataclass(frozen=True)
class Intake:
    """What accepting a submission takes: the store, the attachments, the relay to Kafka, and the sealer."""

    submissions: Submissions
    attachments: Attachments
    relay: Relay
    sealer: Sealer
    # The pages' public address (INTAKE_PUBLIC_URL): the status link in the citizen's first message starts with it.
    public_url: str | None = None


async def accept_submission(
    valid: ValidSubmission, intake: Intake, trace: TraceContext, idempotent: IdempotentRequest | None = None
) -> Accepted:
    """Accepted means stored: the event is published from the stored copy (an outbox), even when Kafka is down.
    Its personal data is sealed for the services that need it (events.personal). With an idempotency key, every
    copy of the request stores (at most) the one submission the key was first claimed for, and answers alike."""
    request, submissions, sealer = valid.request, intake.submissions, intake.sealer
    applicant = request.applicant
    token, token_hash = new_status_token()
    submission_id = uuid4()
    if idempotent is not None:
        submission_id, token = await _claimed(idempotent, submissions, submission_id, token)
        token_hash = hash_status_token(token)
    await _bind_attachments(valid, intake.attachments, submission_id)
    links = _sealed_links(intake, submission_id, token)
    # So that an operator finds the submission's trace by its id (shared.traces.jaeger): a random id, nothing personal.
    get_current_span().set_attribute(SUBMISSION_ID_ATTRIBUTE, str(submission_id))
    event = SubmissionReceived(
        submission_id=submission_id,
        recipient=Recipient(
            address=sealer.seal(personal.CONTACT_ADDRESS, request.applicant.email, submission_id),
            language=request.applicant.language,
            name=sealer.seal(personal.CONTACT_NAME, f"{applicant.given_name} {applicant.family_name}", submission_id),
            status_link=links[0] if links else None,
            rating_link=links[1] if links else None,
            service_title=valid.service.title.in_(request.applicant.language),
            **_notify_by(request.notify_by, sealer, submission_id),
        ),
        service_id=valid.service.service_id,
        applicant=sealer.seal(personal.APPLICANT, request.applicant, submission_id),
        form=sealer.seal(personal.FORM, valid.form, submission_id),
        attachments=request.attachments,
        minimum_level_of_assurance=valid.service.minimum_level_of_assurance,
        agency_needs=valid.service.agency_needs,
        identity_token=(
            None
            if request.identity_token is None
            else sealer.seal(personal.IDENTITY_TOKEN, request.identity_token, submission_id)
        ),
        keep_profile=request.keep_profile,
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
        intake.relay.handoff(outgoing)
    return Accepted(event.submission_id, record.status, token, stored_now)


def _sealed_links(intake: Intake, submission_id: UUID, token: str) -> tuple[Sealed, Sealed] | None:
    """The status link and the rating link, sealed for notify; None without a public address to link to."""
    if intake.public_url is None:
        return None
    status = status_link(intake.public_url, submission_id, token)
    rating = rating_link(intake.public_url, submission_id, token)
    return (
        intake.sealer.seal(personal.STATUS_LINK, status, submission_id),
        intake.sealer.seal(personal.RATING_LINK, rating, submission_id),
    )


async def _bind_attachments(valid: ValidSubmission, attachments: Attachments, submission_id: UUID) -> None:
    """The named files become this submission's before it is stored: a submission never names a file that a sweep
    of unbound uploads could forget. (A store failure after this leaves them bound to an id never stored; a retry
    with the same Idempotency-Key binds them again to the same id.)"""
    refs = valid.request.attachments
    if not refs:
        return
    ids = [ref.attachment_id for ref in refs]
    try:
        stored = await attachments.find(ids)
    except Exception as error:
        raise SubmissionNotStored from error
    issues = check_stored(valid.service.service_id, refs, stored, submission_id)
    if issues:
        raise AttachmentsInvalid(issues)
    try:
        await attachments.bind(ids, submission_id)
    except AttachmentsNotBindable as taken:
        raise AttachmentsInvalid(
            [RefIssue(ListIssue.TAKEN, ids.index(attachment_id)) for attachment_id in taken.attachment_ids]
        ) from taken
    except Exception as error:
        raise SubmissionNotStored from error


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
    await submissions.note_closed(closings(events))


async def record_decisions(events: Sequence[SubmissionDecided], submissions: Submissions, sealer: Sealer) -> None:
    """The agency's decisions, each with its reason opened for the status page."""
    entries = [
        decision_entry(event, sealer.open(personal.DECISION_REASON, event.reason, event.submission_id))
        for event in events
    ]
    await submissions.record_steps(entries)
    await submissions.note_closed(closings(events))


def recipient_of(record: SubmissionRecord, sealer: Sealer) -> Recipient:
    """Where the citizen of a stored submission is told, as its own event had it (accept_submission), sealed for
    notify again: for the events intake publishes later on the citizen's behalf (their answers). Without the status
    link: intake keeps only the token's hash."""
    applicant = record.applicant
    address = sealer.seal(personal.CONTACT_ADDRESS, applicant["email"], record.submission_id)
    name = f"{applicant.get('given_name', '')} {applicant.get('family_name', '')}".strip()
    return Recipient(
        address=address,
        language=applicant.get("language", "de"),
        name=sealer.seal(personal.CONTACT_NAME, name, record.submission_id) if name else None,
    )


def _notify_by(chosen: ChannelChoice | None, sealer: Sealer, submission_id: UUID) -> dict[str, Any]:
    """The channel the citizen chose for this application and its address, sealed for notify; none: e-mail."""
    if chosen is None:
        return {}
    return {
        "channel": chosen.channel,
        "phone": None if chosen.phone is None else sealer.seal(personal.CONTACT_PHONE, chosen.phone, submission_id),
        "mailbox": (
            None if chosen.mailbox is None else sealer.seal(personal.CONTACT_MAILBOX, chosen.mailbox, submission_id)
        ),
    }


def status_link(public_url: str, submission_id: UUID, token: str) -> str:
    """The status page of a submission, as its confirmation page links it (the token is URL-safe base64)."""
    return f"{public_url.rstrip('/')}/status/{submission_id}?token={token}"


def rating_link(public_url: str, submission_id: UUID, token: str) -> str:
    """The status page's rating page (web.rating), as the message that closes the case links it: the same token."""
    return f"{public_url.rstrip('/')}/status/{submission_id}/rating?token={token}"
