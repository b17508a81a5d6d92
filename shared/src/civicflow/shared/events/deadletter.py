"""A message a consumer gave up on, with the reason, so nothing is dropped silently and an operator can replay it."""

from datetime import datetime
from enum import StrEnum
from typing import Literal
from uuid import UUID, uuid4

from pydantic import BaseModel, ConfigDict, Field

from civicflow.shared.events.base import utc_now


class DeadLetterReason(StrEnum):
    # Not an event of the topic's type: not JSON, a field missing or ill-typed, the envelope incomplete.
    UNDECODABLE = "undecodable"
    # Processing failed for a reason that will not pass (an SMTP 5xx, an unknown channel, a bug).
    REJECTED = "rejected"
    # Processing failed for a passing reason on every attempt of the retry schedule.
    RETRIES_EXHAUSTED = "retries_exhausted"


class DeadLetter(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    schema_version: int = 2
    dead_letter_id: UUID = Field(default_factory=uuid4)
    occurred_at: datetime = Field(default_factory=utc_now)
    consumer_group: str
    # Where the message was first read (for a retried message: its original topic, not the retry topic).
    source_topic: str
    source_partition: int
    source_offset: int
    reason: DeadLetterReason
    # What went wrong, without personal data: field paths, or the kind of error.
    detail: str = Field(max_length=2000)
    # Retries made before giving up.
    attempts: int = 0
    # The message as it was read, so an operator can replay it to its source topic unchanged.
    key: str | None = None
    headers: dict[str, str] = Field(default_factory=dict)
    payload: str
    payload_encoding: Literal["utf-8", "base64"] = "utf-8"
    payload_truncated: bool = False
