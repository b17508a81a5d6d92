"""Event contracts, one module per producing service. Publishers and subscribers use the same classes."""

from civicflow.shared.events import personal
from civicflow.shared.events.base import Event, StatusEvent, Step, derive_event_id
from civicflow.shared.events.common import Address, Applicant, AttachmentRef, Recipient
from civicflow.shared.events.deadletter import DeadLetter
from civicflow.shared.events.experience import ExperienceKind, ExperienceRecorded
from civicflow.shared.events.identity import IdentityRejected, IdentityVerified
from civicflow.shared.events.intake import SubmissionReceived
from civicflow.shared.events.notify import CitizenNotified
from civicflow.shared.events.routing import AgencySubmission, SubmissionRouted, SubmissionUnroutable

__all__ = [
    "Address",
    "AgencySubmission",
    "Applicant",
    "AttachmentRef",
    "CitizenNotified",
    "DeadLetter",
    "Event",
    "ExperienceKind",
    "ExperienceRecorded",
    "IdentityRejected",
    "IdentityVerified",
    "Recipient",
    "StatusEvent",
    "Step",
    "SubmissionReceived",
    "SubmissionRouted",
    "SubmissionUnroutable",
    "derive_event_id",
    "personal",
]
