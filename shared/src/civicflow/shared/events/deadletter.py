"""A message a consumer could not accept, with the reason, so nothing is dropped silently."""

from datetime import datetime
from typing import ClassVar
from uuid import UUID, uuid4

from pydantic import BaseModel, ConfigDict, Field

from civicflow.shared.events.base import utc_now


class DeadLetter(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    schema_version: ClassVar[int] = 1

    dead_letter_id: UUID = Field(default_factory=uuid4)
    occurred_at: datetime = Field(default_factory=utc_now)
    consumer_group: str
    source_topic: str
    source_partition: int
    source_offset: int
    reason: str
    # The undecodable payload, as text where it is text; kept so an operator can repair and replay it.
    payload: str
