"""The citizen's rating of their application (1 to 5, an optional comment): possible once the agency decided it
(accepted or rejected), once per submission. What the form posted is checked here; the event published of it
(events.experience.ServiceRated) carries nothing personal, and the comment stays in intake's store."""

import unicodedata
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from civicflow.intake.domain.information import latest_decision
from civicflow.intake.domain.messages import Language
from civicflow.intake.domain.outbox import OutgoingEvent
from civicflow.intake.domain.submission import SubmissionRecord
from civicflow.shared import topics
from civicflow.shared.events.experience import ClosingOutcome, ServiceRated

SCORES = range(1, 6)
MAX_COMMENT = 1000
# Controls and format characters have no place in a comment; line breaks and tabs are what a textarea sends.
_INVISIBLE = frozenset({"Cc", "Cf", "Cs", "Co", "Cn"})
_ALLOWED_CONTROLS = frozenset("\n\t")
RatingField = Literal["score", "comment"]


@dataclass(frozen=True)
class Rating:
    """A rating as intake keeps it: the comment (free text, possibly personal) stays in intake's store alone."""

    score: int
    comment: str | None
    service_id: str
    outcome: ClosingOutcome
    language: Language
    at: datetime


class NotRated(ValueError):
    """What the form posted is no rating; `failures` names each field's failure (domain.messages.GENERIC kinds),
    never what was typed."""

    def __init__(self, failures: dict[RatingField, str]) -> None:
        super().__init__(", ".join(f"{field}: {kind}" for field, kind in failures.items()))
        self.failures = failures


def closing_outcome(record: SubmissionRecord) -> ClosingOutcome | None:
    """The outcome of the agency's decision that closed the case; None while it has not (not decided yet, or it asks
    the citizen for information)."""
    decision = latest_decision(record)
    if decision is None:
        return None
    if decision.outcome == "accepted":
        return "accepted"
    if decision.outcome == "rejected":
        return "rejected"
    return None


def preselected(score: str | None) -> int | None:
    """The score a link names (`?score=4`, from the closing message's buttons): shown chosen, never recorded."""
    return int(score) if score in {str(each) for each in SCORES} else None


def checked(score: object, comment: object) -> tuple[int, str | None]:
    """The score (1 to 5) and the comment (None when left empty, else at most 1,000 characters, line breaks as
    "\\n") of a posted form. Raises NotRated naming every field that fails."""
    failures: dict[RatingField, str] = {}
    chosen = preselected(score) if isinstance(score, str) else None
    if chosen is None:
        failures["score"] = "enum" if score else "required"
    text = comment.replace("\r\n", "\n").strip() if isinstance(comment, str) else ""
    text = unicodedata.normalize("NFC", text)
    if comment is not None and not isinstance(comment, str):
        failures["comment"] = "type"
    elif len(text) > MAX_COMMENT:
        failures["comment"] = "maxLength"
    elif any(unicodedata.category(c) in _INVISIBLE and c not in _ALLOWED_CONTROLS for c in text):
        failures["comment"] = "text"
    if failures or chosen is None:
        raise NotRated(failures)
    return chosen, text or None


def rated_event(rating: Rating) -> ServiceRated:
    return ServiceRated(
        occurred_at=rating.at,
        service_id=rating.service_id,
        score=rating.score,
        language=rating.language,
        commented=rating.comment is not None,
        outcome=rating.outcome,
    )


def outgoing(record: SubmissionRecord, event: ServiceRated) -> OutgoingEvent:
    """The event, to be stored with the rating and published by the relay. Keyed by service: never the submission,
    which the record key would tell every reader of the topic. No trace context either: a trace id would tie the
    rating to the request, and so to the submission's trace."""
    return OutgoingEvent(record.submission_id, topics.SERVICE_RATED, event.service_id, event.model_dump_json().encode())
