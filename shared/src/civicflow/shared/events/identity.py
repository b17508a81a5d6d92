"""Events published by identity."""

from datetime import datetime
from typing import Any, ClassVar, Literal

from civicflow.shared.events.base import StatusEvent, Step
from civicflow.shared.events.common import Applicant

LevelOfAssurance = Literal["low", "substantial", "high"]

RejectionReason = Literal[
    "token_malformed",
    "signature_invalid",
    "token_expired",
    "token_not_yet_valid",
    "issuer_mismatch",
    "audience_mismatch",
    "claims_missing",
    "applicant_mismatch",
    "level_of_assurance_unknown",
]


class IdentityVerified(StatusEvent):
    step: ClassVar[Step] = Step.VERIFIED

    service_id: str
    applicant: Applicant
    form: dict[str, Any]
    level_of_assurance: LevelOfAssurance
    received_at: datetime


class IdentityRejected(StatusEvent):
    step: ClassVar[Step] = Step.REJECTED

    reason: RejectionReason
