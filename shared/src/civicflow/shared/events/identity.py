"""Events published by identity."""

from datetime import datetime
from typing import Annotated, ClassVar, Literal

from pydantic import Field

from civicflow.shared.events.base import StatusEvent, Step
from civicflow.shared.security.sealing import Sealed

LevelOfAssurance = Literal["low", "substantial", "high"]
CitizenId = Annotated[str, Field(pattern=r"^[a-z2-7]{32}$")]

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
    # Verified against the identity assertion; sealed as intake sealed them (events.personal).
    applicant: Sealed
    form: Sealed
    level_of_assurance: LevelOfAssurance
    # The same for every application of the same person at the same identity provider, and nothing else
    # about them (an HMAC of issuer and subject under identity's pseudonym key).
    citizen_id: CitizenId
    received_at: datetime


class IdentityRejected(StatusEvent):
    step: ClassVar[Step] = Step.REJECTED

    reason: RejectionReason
