"""What each pipeline event adds to the citizen-facing timeline. No personal data goes into a detail, except what
the agency and the citizen write each other (the agency's reason, the citizen's answer), which the citizen reads on
their status page: `decision_entry` and `answer_entry` take it opened."""

from typing import Any

from civicflow.intake.domain.submission import TimelineEntry
from civicflow.shared.events import (
    CitizenNotified,
    ClarificationProvided,
    IdentityRejected,
    IdentityVerified,
    InformationProvided,
    StatusEvent,
    SubmissionDecided,
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


def decision_entry(event: SubmissionDecided, reason: str) -> TimelineEntry:
    """The agency's decision, with its reason in words for the citizen (opened from events.personal.DECISION_REASON)."""
    return timeline_entry(event).model_copy(update={"detail": _detail(event) | {"reason": reason}})


def answer_entry(event: InformationProvided, answer: str) -> TimelineEntry:
    """The citizen's answer to the agency's request, as they wrote it (shown back to them on the status page)."""
    return timeline_entry(event).model_copy(update={"detail": _detail(event) | {"answer": answer}})


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
        case SubmissionDecided():
            return {"agency_id": event.agency_id, "outcome": event.outcome, "decision_id": str(event.decision_id)}
        case InformationProvided():
            return {"request_id": str(event.request_id)}
        case ClarificationProvided():
            return {"municipality_key": event.municipality_key}
        case CitizenNotified():
            # One entry per status a message reaches; the status page shows each message's latest.
            return {
                "notification_id": str(event.notification_id),
                "message_type": event.message_type,
                "status": event.status,
                "about": list(event.about),
                "channel": event.channel,
                "reason": event.reason,
                "attempt": event.attempt,
                "will_retry": event.will_retry,
            }
        case _:
            return {}
