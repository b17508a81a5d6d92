"""Event contracts, one module per producing service. Publishers and subscribers use the same classes."""

from civicflow.shared.events import personal
from civicflow.shared.events.agency import (
    AgencyDecision,
    AgencyInformation,
    InformationProvided,
    SubmissionDecided,
)
from civicflow.shared.events.base import CitizenEvent, Event, StatusEvent, Step, derive_event_id
from civicflow.shared.events.common import Address, Applicant, AttachmentRef, ChannelChoice, Recipient
from civicflow.shared.events.deadletter import DeadLetter
from civicflow.shared.events.experience import ExperienceKind, ExperienceRecorded
from civicflow.shared.events.identity import IdentityRejected, IdentityVerified
from civicflow.shared.events.intake import ClarificationProvided, SubmissionReceived
from civicflow.shared.events.notify import CitizenNotified, NotificationDue, NotificationStatus
from civicflow.shared.events.profile import (
    ContactPreferences,
    ContactPreferencesChanged,
    ErasureRequested,
    Profile,
    ProfileSaved,
)
from civicflow.shared.events.routing import (
    AgencySubmission,
    MunicipalityChoice,
    SubmissionNeedsClarification,
    SubmissionRouted,
    SubmissionUnroutable,
)

__all__ = [
    "Address",
    "AgencyDecision",
    "AgencyInformation",
    "AgencySubmission",
    "Applicant",
    "AttachmentRef",
    "ChannelChoice",
    "CitizenEvent",
    "CitizenNotified",
    "ClarificationProvided",
    "ContactPreferences",
    "ContactPreferencesChanged",
    "DeadLetter",
    "ErasureRequested",
    "Event",
    "ExperienceKind",
    "ExperienceRecorded",
    "IdentityRejected",
    "IdentityVerified",
    "InformationProvided",
    "MunicipalityChoice",
    "NotificationDue",
    "NotificationStatus",
    "Profile",
    "ProfileSaved",
    "Recipient",
    "StatusEvent",
    "Step",
    "SubmissionDecided",
    "SubmissionNeedsClarification",
    "SubmissionReceived",
    "SubmissionRouted",
    "SubmissionUnroutable",
    "derive_event_id",
    "personal",
]
