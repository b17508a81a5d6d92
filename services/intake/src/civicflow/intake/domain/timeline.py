"""What each pipeline event adds to the citizen-facing timeline. No personal data goes into a detail."""

from typing import Any

from civicflow.intake.domain.submission import TimelineEntry
from civicflow.shared.events import (
    CitizenNotified,
    ClarificationProvided,
    IdentityRejected,
    IdentityVerified,
    StatusEvent,
    SubmissionNeedsClarification,
    SubmissionRouted,
    SubmissionUnroutable,
)


def timeline_entry(event: StatusEvent | CitizenNotified) -> TimelineEntry:
    return TimelineEntry(
        event_id=event.event_id,
        submission_id=event.submission_id,
        step=event.step,
        at=event.occurred_at,
        detail=_detail(event),
    )


def _detail(event: StatusEvent | CitizenNotified) -> dict[str, Any]:
    match event:
        case IdentityVerified():
            return {"level_of_assurance": event.level_of_assurance}
        case IdentityRejected() | SubmissionUnroutable():
            return {"reason": event.reason}
        case SubmissionRouted():
            return {"agency_id": event.agency_id}
        case SubmissionNeedsClarification():
            # Municipality keys and names only: what the citizen typed stays out of the timeline.
            return {"reason": event.reason, "choices": [choice.model_dump(mode="json") for choice in event.choices]}
        case ClarificationProvided():
            return {"municipality_key": event.municipality_key}
        case CitizenNotified():
            return {"about": event.notified_step, "channel": event.channel}
        case _:
            return {}
