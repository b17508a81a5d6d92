"""The agency's request for information, as intake's timeline holds it: open while it is the latest decision and
the citizen has not answered it, and the answers it takes (a Letter, as the agency will read it)."""

import hashlib
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID, uuid5

from pydantic import TypeAdapter, ValidationError
from pydantic_core import ErrorDetails

from civicflow.intake.domain.submission import SubmissionRecord, TimelineEntry
from civicflow.shared.events import Step
from civicflow.shared.events.agency import Letter

INFORMATION_REQUESTED = "information_requested"
# pydantic's error types for an answer, as the kinds of failure a citizen is told about (domain.messages.GENERIC).
FAILURES = {
    "missing": "required",
    "string_too_short": "required",
    "string_too_long": "maxLength",
    "value_error": "text",
    "string_type": "type",
    "model_type": "type",
    "dict_type": "type",
    "extra_forbidden": "additionalProperties",
}
_LETTER: TypeAdapter[str] = TypeAdapter(Letter)


@dataclass(frozen=True)
class Request:
    request_id: UUID  # the decision that asks (SubmissionDecided.decision_id)
    reason: str  # the agency's words: what it needs


@dataclass(frozen=True)
class Decision:
    """The agency's decision as the status page shows it."""

    outcome: str  # shared.events.agency.Outcome
    reason: str
    answer: str | None  # the citizen's, when the agency asked and they answered
    shown: frozenset[UUID]  # the timeline entries of the decision and of the answer


class NotWritten(ValueError):
    """The answer is no Letter; `kind` names the failure (domain.messages.GENERIC), never what was typed."""

    def __init__(self, kind: str) -> None:
        super().__init__(kind)
        self.kind = kind


def open_request(record: SubmissionRecord) -> Request | None:
    """The agency's request, while the latest decision asks for information and the citizen has not answered it;
    else None (an answer, or a later decision, closes it)."""
    if record.status != Step.DECIDED:
        return None
    # As SubmissionRecord.status picks the latest of the steps of one rank.
    latest = max((entry for entry in record.timeline if entry.step == Step.DECIDED), key=_at)
    if latest.detail.get("outcome") != INFORMATION_REQUESTED:
        return None
    request_id = UUID(str(latest.detail["decision_id"]))
    if any(_answered(entry) == request_id for entry in record.timeline):
        return None  # an agency's clock ahead of ours can date the request after the answer to it
    return Request(request_id, str(latest.detail.get("reason", "")))


def latest_decision(record: SubmissionRecord) -> Decision | None:
    """The agency's latest decision, with the citizen's answer to it if it asked and was answered; None before the
    agency decided anything."""
    decided = [entry for entry in record.timeline if entry.step == Step.DECIDED]
    if not decided:
        return None
    latest = max(decided, key=_at)
    request_id = UUID(str(latest.detail["decision_id"]))
    # The first answer is the one routing passes on (one per request).
    answer = min((entry for entry in record.timeline if _answered(entry) == request_id), key=_at, default=None)
    return Decision(
        outcome=str(latest.detail.get("outcome", "")),
        reason=str(latest.detail.get("reason", "")),
        answer=None if answer is None else str(answer.detail.get("answer", "")),
        shown=frozenset({latest.event_id} | ({answer.event_id} if answer else set())),
    )


def taken_already(record: SubmissionRecord, answer: str) -> bool:
    """Whether this very answer was taken (a double tap, a client's retry after the request closed)."""
    return any(
        entry.event_id == answer_event_id(record.submission_id, request_id, answer)
        for entry in record.timeline
        if (request_id := _answered(entry)) is not None
    )


def written(text: str) -> str:
    """The answer as the agency will read it: a Letter (lines of plain text, 1 to 2,000 characters), with the line
    breaks a browser posts (CRLF, HTML's form submission) as "\\n". Raises NotWritten."""
    text = text.replace("\r\n", "\n")
    if not text.strip():
        raise NotWritten("required")
    try:
        return _LETTER.validate_python(text)
    except ValidationError as error:
        raise NotWritten(failure(error.errors(include_input=False)[0])) from None


def failure(error: ErrorDetails) -> str:
    """The kind of failure of one of pydantic's errors of an answer."""
    return FAILURES.get(error["type"], "invalid")


def answer_event_id(submission_id: UUID, request_id: UUID, answer: str) -> UUID:
    """The event id of this answer, derived from what it answers and what it says (as clarification.answer_id): the
    same answer sent twice is one event, which routing's de-duplication and the timeline (keyed by event id) keep
    once. A different answer is another event; routing passes on the first it takes for a request."""
    digest = hashlib.sha256(answer.encode()).hexdigest()
    return uuid5(submission_id, f"{Step.INFORMATION_PROVIDED}:{request_id}:{digest}")


def _answered(entry: TimelineEntry) -> UUID | None:
    if entry.step != Step.INFORMATION_PROVIDED or "request_id" not in entry.detail:
        return None
    return UUID(str(entry.detail["request_id"]))


def _at(entry: TimelineEntry) -> datetime:
    return entry.at
