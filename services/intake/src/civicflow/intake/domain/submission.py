"""A submission as intake keeps it, and its citizen-facing status timeline."""

import hashlib
import hmac
import secrets
from datetime import datetime
from typing import Any
from uuid import UUID

from pydantic import BaseModel, ConfigDict

from civicflow.shared.events import Step

# How far a submission has come; an event of a lower rank arriving later never moves the status back. Routing asks
# the citizen (clarification_needed) after the verification and before it routes; their answer (clarified) moves it on.
STATUS_RANK = {
    Step.RECEIVED: 0,
    Step.VERIFIED: 1,
    Step.REJECTED: 1,
    Step.CLARIFICATION_NEEDED: 2,
    Step.CLARIFIED: 3,
    Step.ROUTED: 4,
    Step.UNROUTABLE: 4,
    # The agency's decisions and the citizen's answers: the latest of them is the status (an answer, a new request,
    # the final decision).
    Step.DECIDED: 5,
    Step.INFORMATION_PROVIDED: 5,
}


class TimelineEntry(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    event_id: UUID
    submission_id: UUID
    step: Step
    at: datetime
    detail: dict[str, Any] = {}


class SubmissionRecord(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    submission_id: UUID
    service_id: str
    status_token_hash: str
    trace_id: str | None
    received_at: datetime
    # Empty once anonymised (the citizen erased their profile, or the retention after the case closed): the
    # timeline and the status link stay.
    applicant: dict[str, Any] = {}
    form: dict[str, Any] = {}
    timeline: tuple[TimelineEntry, ...]

    @property
    def status(self) -> str:
        """The furthest step reached; derived from the timeline, so events arriving out of order agree."""
        entries = [entry for entry in self.timeline if entry.step in STATUS_RANK]
        if not entries:
            return Step.RECEIVED
        return max(entries, key=lambda entry: (STATUS_RANK[entry.step], entry.at)).step

    def sorted_timeline(self) -> list[TimelineEntry]:
        return sorted(self.timeline, key=lambda entry: entry.at)

    def shown_timeline(self) -> list[TimelineEntry]:
        """The timeline as the status page shows it: each message to the citizen once, at its latest status (one
        entry per status is kept, the latest by time, a later attempt winning a tie)."""
        latest: dict[object, TimelineEntry] = {}
        for entry in self.sorted_timeline():
            if entry.step == Step.NOTIFIED:
                notification = entry.detail.get("notification_id", entry.event_id)
                known = latest.get(notification)
                if known is None or entry.detail.get("attempt", 0) >= known.detail.get("attempt", 0):
                    latest[notification] = entry
        shown = set(map(id, latest.values()))
        return [entry for entry in self.sorted_timeline() if entry.step != Step.NOTIFIED or id(entry) in shown]

    @property
    def routed_to(self) -> str | None:
        """The agency its latest routed step names (routing may route an application again, after a
        clarification); None while it is routed to none."""
        routed = [entry for entry in self.timeline if entry.step == Step.ROUTED]
        if not routed:
            return None
        agency_id = max(routed, key=lambda entry: entry.at).detail.get("agency_id")
        return agency_id if isinstance(agency_id, str) else None


def new_status_token() -> tuple[str, str]:
    """A bearer secret for the citizen's status link, and the hash that is stored instead of it."""
    token = secrets.token_urlsafe(32)
    return token, hash_status_token(token)


def hash_status_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def status_token_matches(token: str, stored_hash: str) -> bool:
    return hmac.compare_digest(hash_status_token(token), stored_hash)
