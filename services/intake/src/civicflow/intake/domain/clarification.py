"""The question routing asks when an address does not say which municipality it is in, as intake's timeline holds
it: open until the citizen answers (or the application moves on), and the answers it takes."""

from dataclasses import dataclass
from uuid import UUID, uuid5

from civicflow.intake.domain.submission import SubmissionRecord
from civicflow.shared.events import MunicipalityChoice, Step


@dataclass(frozen=True)
class Question:
    reason: str  # shared.events.routing.ClarificationReason
    choices: tuple[MunicipalityChoice, ...]

    def offers(self, municipality_key: str) -> bool:
        return any(choice.municipality_key == municipality_key for choice in self.choices)


def open_question(record: SubmissionRecord) -> Question | None:
    """The latest question, while the status says it waits for an answer; else None."""
    if record.status != Step.CLARIFICATION_NEEDED:
        return None
    asked = [entry for entry in record.sorted_timeline() if entry.step == Step.CLARIFICATION_NEEDED][-1]
    choices = tuple(MunicipalityChoice.model_validate(choice) for choice in asked.detail.get("choices", ()))
    return Question(str(asked.detail.get("reason", "")), choices)


def chosen_names(record: SubmissionRecord) -> dict[str, str]:
    """The names of the municipalities the citizen was offered, by key (for showing the one they chose)."""
    return {
        choice["municipality_key"]: choice["name"]
        for entry in record.timeline
        if entry.step == Step.CLARIFICATION_NEEDED
        for choice in entry.detail.get("choices", ())
    }


def answer_id(submission_id: UUID, municipality_key: str) -> UUID:
    """The event id of this answer, derived from what it answers (as shared.events.derive_event_id does): the same
    answer sent twice (a double tap, a client's retry) is one event, which routing's de-duplication and the timeline
    (keyed by event id) keep once. A different answer is another event; routing routes on the first it takes and
    ignores the rest, as it keeps no application waiting any more."""
    return uuid5(submission_id, f"{Step.CLARIFIED}:{municipality_key}")
