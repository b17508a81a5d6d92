"""Events published by identity."""

from datetime import datetime
from typing import ClassVar, Literal

from civicflow.shared.events.base import StatusEvent, Step
from civicflow.shared.events.common import APPLICANT_ATTRIBUTES, ApplicantAttribute, AttachmentRef, CitizenId
from civicflow.shared.identity_providers import LevelOfAssurance as LevelOfAssurance
from civicflow.shared.security.sealing import Sealed

# What a service asks for, and what an application has: "none" where no identity is needed or proven.
AssuranceLevel = Literal["none", "low", "substantial", "high"]
_RANK: dict[AssuranceLevel, int] = {"none": 0, "low": 1, "substantial": 2, "high": 3}

RejectionReason = Literal[
    "token_malformed",
    "signature_invalid",
    "token_expired",
    "token_not_yet_valid",
    "token_lifetime_too_long",
    "token_replayed",
    "issuer_mismatch",
    "audience_mismatch",
    "claims_missing",
    "applicant_mismatch",
    "level_of_assurance_unknown",
    "identity_missing",
    "level_of_assurance_insufficient",
]


def meets(level: AssuranceLevel, minimum: AssuranceLevel) -> bool:
    """Whether an identity proven at `level` is enough for a service that asks for `minimum`."""
    return _RANK[level] >= _RANK[minimum]


class IdentityVerified(StatusEvent):
    step: ClassVar[Step] = Step.VERIFIED

    service_id: str
    # Verified against the identity assertion; sealed as intake sealed them (events.personal).
    applicant: Sealed
    form: Sealed
    attachments: tuple[AttachmentRef, ...] = ()
    # What the agency is given of the applicant (the service's catalogue entry): routing hands on only these.
    agency_needs: tuple[ApplicantAttribute, ...] = APPLICANT_ATTRIBUTES
    # "none" for a service that needs no identity, filed without an identity assertion.
    level_of_assurance: AssuranceLevel
    # The same for every application of the same person at the same identity provider, and nothing else
    # about them (an HMAC of issuer and subject under identity's pseudonym key); None without an assertion.
    citizen_id: CitizenId | None = None
    received_at: datetime


class IdentityRejected(StatusEvent):
    step: ClassVar[Step] = Step.REJECTED

    reason: RejectionReason

    @property
    def closes_case(self) -> bool:
        return True
