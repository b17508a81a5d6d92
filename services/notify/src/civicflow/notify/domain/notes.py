"""What notify keeps of each step it hears of, until the message that tells of it is written: what the message's
template needs, its personal parts still sealed (they are opened only to send). A step's note is kept, not the
event: an identity check carries the whole application, which no message needs."""

from datetime import datetime
from uuid import UUID

from pydantic import BaseModel, ConfigDict

from civicflow.notify.domain.messages import MessageContext, MessageType, Personal, message_type_of
from civicflow.notify.domain.reasons import reason_sentence
from civicflow.shared.events import (
    IdentityRejected,
    IdentityVerified,
    Recipient,
    StatusEvent,
    Step,
    SubmissionDecided,
    SubmissionNeedsClarification,
    SubmissionReceived,
    SubmissionRouted,
)
from civicflow.shared.security.sealing import Sealed

# How far an application has got: a message names the furthest step reached (the latest decision, of several).
PROGRESS: dict[Step, int] = {
    Step.RECEIVED: 1,
    Step.VERIFIED: 2,
    Step.REJECTED: 3,
    Step.CLARIFICATION_NEEDED: 3,
    Step.ROUTED: 4,
    Step.UNROUTABLE: 4,
    Step.DECIDED: 5,
}


class StepNote(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    event_id: UUID
    submission_id: UUID
    step: Step
    occurred_at: datetime
    message_type: MessageType
    recipient: Recipient
    agency_name: str | None = None
    reason: str = ""  # the reason code in the citizen's words (domain.reasons)
    letter: Sealed | None = None  # the agency's words (events.personal.DECISION_REASON)
    choices: tuple[str, ...] = ()
    # Whether this step shows the identity verified: routing acts only on verified applications, so every step
    # from IdentityVerified on does, except a check at level "none" (a service that asks for no identity).
    verified: bool
    citizen_id: str | None = None  # the verified citizen's pseudonym (identity's), who the sender is

    @property
    def progress(self) -> tuple[int, datetime]:
        return PROGRESS[self.step], self.occurred_at


def note_of(event: StatusEvent) -> StepNote:
    recipient = event.recipient
    agency_name = None
    if isinstance(event, SubmissionRouted | SubmissionDecided):
        agency_name = event.agency_name or event.agency_id
    unverified = isinstance(event, SubmissionReceived | IdentityRejected)
    if isinstance(event, IdentityVerified):
        unverified = event.level_of_assurance == "none"
    return StepNote(
        event_id=event.event_id,
        submission_id=event.submission_id,
        step=Step(event.step),
        occurred_at=event.occurred_at,
        message_type=message_type_of(event),
        recipient=recipient,
        agency_name=agency_name,
        reason=reason_sentence(event, recipient.language),
        letter=event.reason if isinstance(event, SubmissionDecided) else None,
        choices=tuple(c.name for c in event.choices) if isinstance(event, SubmissionNeedsClarification) else (),
        verified=not unverified,
        citizen_id=event.citizen_id if isinstance(event, IdentityVerified) else None,
    )


def latest(notes: list[StepNote]) -> StepNote:
    """The note of the furthest step reached: the state a message names."""
    return max(notes, key=lambda note: note.progress)


def context_of(note: StepNote, personal: Personal | None = None) -> MessageContext:
    """What the message about `note`'s step may say, with what the caller opened of it."""
    personal = personal or Personal()
    return MessageContext(
        message_type=note.message_type,
        language=note.recipient.language,
        submission_id=note.submission_id,
        citizen_name=personal.citizen_name,
        service_title=note.recipient.service_title,
        agency_name=note.agency_name,
        status_link=personal.status_link,
        reason=note.reason,
        letter=personal.letter,
        choices=note.choices,
        rating_link=personal.rating_link,
    )
