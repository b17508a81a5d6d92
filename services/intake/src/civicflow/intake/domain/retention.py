"""Which steps close an application, from which on intake's retention counts (retention.Retention)."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from civicflow.shared.events import StatusEvent


@dataclass(frozen=True)
class Closing:
    submission_id: UUID
    at: datetime


def closings(events: Iterable[object]) -> list[Closing]:
    """The applications these events close (the agency's final decision, or a stop before it), with when."""
    return [
        Closing(event.submission_id, event.occurred_at)
        for event in events
        if isinstance(event, StatusEvent) and event.closes_case
    ]
