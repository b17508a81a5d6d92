"""What the citizen is told at each step: which message it is, and what its template may say. The words themselves
are templates (civicflow/notify/templates, rendered by civicflow.notify.rendering), one per message type and
language; this module decides only what goes into them. Plain words, the reference number, and of the citizen no
more than they need to recognise their application."""

from dataclasses import dataclass
from enum import StrEnum
from uuid import UUID

from civicflow.shared.events import StatusEvent, Step, SubmissionDecided
from civicflow.shared.events.common import Language


@dataclass(frozen=True)
class Message:
    subject: str
    body: str  # plain text, always: every mail client and channel can show it
    language: str
    html: str | None = None  # the same words as HTML, for a channel that can show it


class MessageType(StrEnum):
    """One template each (in every language): a step of the application, or the agency's decision by its outcome."""

    RECEIVED = "received"
    VERIFIED = "verified"
    IDENTITY_REJECTED = "identity_rejected"
    ROUTED = "routed"
    UNROUTABLE = "unroutable"
    CLARIFICATION_NEEDED = "clarification_needed"
    INFORMATION_REQUESTED = "information_requested"
    ACCEPTED = "accepted"
    REJECTED = "rejected"

    @property
    def closes_case(self) -> bool:
        """The agency's final word: its message asks how satisfied the citizen was."""
        return self in (MessageType.ACCEPTED, MessageType.REJECTED)


# The agency's decision has a type per outcome (shared.events.agency.Outcome); every other step, its own.
STEP_MESSAGE_TYPES = {
    Step.RECEIVED: MessageType.RECEIVED,
    Step.VERIFIED: MessageType.VERIFIED,
    Step.REJECTED: MessageType.IDENTITY_REJECTED,
    Step.ROUTED: MessageType.ROUTED,
    Step.UNROUTABLE: MessageType.UNROUTABLE,
    Step.CLARIFICATION_NEEDED: MessageType.CLARIFICATION_NEEDED,
}


@dataclass(frozen=True)
class MessageContext:
    """Everything a template may use. What is None was not known when the event was sent; a template reads well
    without it ("Guten Tag," with no name, no paragraph for a missing link)."""

    message_type: MessageType
    language: Language
    submission_id: UUID
    citizen_name: str | None = None
    service_title: str | None = None
    agency_name: str | None = None  # the agency's id where its name is not known
    # The status page's address. A bearer secret: only the citizen's own mail may carry it.
    status_link: str | None = None
    reason: str = ""  # the reason code in plain words (domain.reasons)
    letter: str = ""  # the agency's own words, for its decision, as written
    # The municipalities offered in a question. The shipped templates leave them out: a mail repeats nothing that
    # hints at the citizen's address.
    choices: tuple[str, ...] = ()
    rating_link: str | None = None  # where the citizen rates the service, once the agency has decided


def message_type_of(event: StatusEvent) -> MessageType:
    if isinstance(event, SubmissionDecided):
        return MessageType(event.outcome)
    message_type = STEP_MESSAGE_TYPES.get(event.step)
    if message_type is None:
        raise LookupError(f"the citizen is not told about the step {event.step!r}")
    return message_type


@dataclass(frozen=True)
class Personal:
    """What the caller opened for this message: the agency's words for a decision, the citizen's name, the status
    and rating links (each sealed for notify alone)."""

    letter: str = ""
    citizen_name: str | None = None
    status_link: str | None = None
    rating_link: str | None = None
