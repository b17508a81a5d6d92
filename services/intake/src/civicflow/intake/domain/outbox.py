"""An event intake has accepted to publish: stored with its submission in one write, published by the relay."""

from dataclasses import dataclass, field
from uuid import UUID


@dataclass(frozen=True)
class OutgoingEvent:
    submission_id: UUID
    topic: str
    key: str
    value: bytes
    # The trace context of the request that accepted it, so its publication continues the submission's trace.
    headers: dict[str, str] = field(default_factory=dict)
