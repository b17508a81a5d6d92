"""The envelope every event carries: a unique event id, the submission id, a schema version, a timestamp."""

from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, ClassVar
from uuid import UUID, uuid4, uuid5

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, model_validator

from civicflow.shared.events.common import CitizenId, Recipient


class Step(StrEnum):
    """The steps of a submission, as its timeline, its mails and its event ids name them."""

    RECEIVED = "received"
    VERIFIED = "verified"
    REJECTED = "rejected"
    ROUTED = "routed"
    UNROUTABLE = "unroutable"
    # Routing could not tell the municipality from the address: the citizen is asked which it is.
    CLARIFICATION_NEEDED = "clarification_needed"
    CLARIFIED = "clarified"  # the citizen answered (intake)
    DELIVERED = "delivered"  # on the agency's topic
    DECIDED = "decided"  # the agency accepted, rejected, or asked the citizen for information
    INFORMATION_PROVIDED = "information_provided"  # the citizen answered the agency's request (intake)
    NOTIFIED = "notified"


def utc_now() -> datetime:
    return datetime.now(UTC)


def derive_event_id(cause: UUID, step: Step) -> UUID:
    """The id of the event that `cause` leads to in `step`.

    Deterministic, so a consumer that processes the same input twice (at-least-once delivery) emits the
    same event id twice, and the next consumer's de-duplication drops the copy.
    """
    return uuid5(cause, step)


ENVELOPE = ("event_id", "submission_id", "schema_version", "occurred_at")
FROM_KAFKA = {"from_kafka": True}


def complete_when_received(data: Any, info: ValidationInfo, envelope: tuple[str, ...]) -> Any:
    """`data`, if it carries every field of `envelope` or is not read from Kafka. The defaults are for building an
    event; one read from Kafka without its own id could not be de-duplicated, so there the envelope must be whole."""
    if info.context == FROM_KAFKA and isinstance(data, dict):
        missing = [name for name in envelope if name not in data]
        if missing:
            raise ValueError(f"envelope incomplete, missing {', '.join(missing)}")
    return data


class Event(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    event_id: UUID = Field(default_factory=uuid4)
    submission_id: UUID
    schema_version: int = 1
    occurred_at: datetime = Field(default_factory=utc_now)

    @model_validator(mode="before")
    @classmethod
    def _envelope_complete_when_received(cls, data: Any, info: ValidationInfo) -> Any:
        return complete_when_received(data, info, ENVELOPE)


CITIZEN_ENVELOPE = ("event_id", "citizen_id", "schema_version", "occurred_at")


class CitizenEvent(BaseModel):
    """An event about a citizen rather than one submission (their profile, its erasure), keyed by the
    pseudonymous citizen id."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    event_id: UUID = Field(default_factory=uuid4)
    citizen_id: CitizenId
    schema_version: int = 1
    occurred_at: datetime = Field(default_factory=utc_now)

    @model_validator(mode="before")
    @classmethod
    def _envelope_complete_when_received(cls, data: Any, info: ValidationInfo) -> Any:
        return complete_when_received(data, info, CITIZEN_ENVELOPE)


class StatusEvent(Event):
    """A step of a submission that the citizen is told about and that shows in the status timeline."""

    step: ClassVar[Step]
    recipient: Recipient

    @property
    def closes_case(self) -> bool:
        """Nothing more comes of the application after this step: the agency's final decision, or a stop before it
        (identity rejected it, no agency could be found)."""
        return False
