"""What the agency and the citizen say to each other once an application is delivered: the agency's decision
(signed by the agency, verified by routing), the status event that brings it to the citizen, and the citizen's
answer when the agency asked for information."""

import base64
import binascii
import json
from datetime import datetime
from typing import Annotated, ClassVar, Literal
from uuid import UUID

from civicflow_agency import wire
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

from civicflow.shared.events.base import Event, StatusEvent, Step
from civicflow.shared.events.common import letter_text
from civicflow.shared.security.sealing import Sealed

Outcome = Literal["accepted", "rejected", "information_requested"]
# A reason or an answer: lines of plain text, at most wire.REASON_MAX_CHARACTERS.
Letter = Annotated[
    str, StringConstraints(min_length=1, max_length=wire.REASON_MAX_CHARACTERS), AfterValidator(letter_text)
]
AgencyId = Annotated[str, StringConstraints(pattern=wire.AGENCY_ID.pattern)]
# RFC 7515, 7.1: three base64url parts; the signature is checked by routing against the agency registry.
JWS_COMPACT = r"^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$"
MAX_TOKEN_CHARACTERS = 64_000


class NotADecision(ValueError):
    """The record is no JWS of a decision's JSON (its reason names no part of the content)."""


class DecisionClaims(BaseModel):
    """The JSON an agency signs (civicflow_agency.wire.decision_payload), as the AsyncAPI document describes it."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    decision_id: UUID
    submission_id: UUID
    agency_id: AgencyId
    outcome: Outcome
    reason: Letter = Field(description="in words for the citizen, shown to them and mailed as written")
    decided_at: datetime


class AgencyDecision(Event):
    """A decision as it comes on `agency.<agency-id>.decisions` (civicflow_agency.wire), read but NOT yet trusted:
    routing verifies `token` against the agency's registered signing keys before anything comes of it. The event
    id is the agency's decision id, so the same decision sent again is the same event."""

    agency_id: AgencyId
    outcome: Outcome
    reason: Letter
    # The topic it came on: a decision counts only for the agency whose topic carries it.
    received_on: str
    token: Annotated[str, StringConstraints(pattern=JWS_COMPACT, max_length=MAX_TOKEN_CHARACTERS)]

    @classmethod
    def of_record(cls, topic: str, value: bytes) -> "AgencyDecision":
        """The decision a record's JWS says it is (ValueError when it is none); its signature is not checked here."""
        token = value.decode("ascii", errors="strict") if value.isascii() else ""
        parts = token.split(".")
        if len(parts) != 3 or len(token) > MAX_TOKEN_CHARACTERS:
            raise NotADecision("not a JWS in compact serialization")
        try:
            claims = json.loads(base64.urlsafe_b64decode(parts[1] + "=" * (-len(parts[1]) % 4)))
        except (binascii.Error, ValueError) as error:
            raise NotADecision("the JWS payload is not JSON") from error
        signed = DecisionClaims.model_validate(claims)
        return cls(
            event_id=signed.decision_id,
            submission_id=signed.submission_id,
            occurred_at=signed.decided_at,
            agency_id=signed.agency_id,
            outcome=signed.outcome,
            reason=signed.reason,
            received_on=topic,
            token=token,
        )


class SubmissionDecided(StatusEvent):
    """The agency decided (verified by routing): accepted, rejected, or it asks the citizen for information."""

    step: ClassVar[Step] = Step.DECIDED

    agency_id: AgencyId
    # As the registry names it, for the citizen's message (nothing personal).
    agency_name: str | None = None
    outcome: Outcome
    # The agency's words for the citizen (events.personal.DECISION_REASON).
    reason: Sealed
    decision_id: UUID

    @property
    def closes_case(self) -> bool:
        """Accepted or rejected; a request for information keeps the case open."""
        return self.outcome != "information_requested"


class InformationProvided(StatusEvent):
    """The citizen answered the agency's request for information on the status page; routing carries the answer
    to the agency, encrypted to its key."""

    step: ClassVar[Step] = Step.INFORMATION_PROVIDED

    # The decision that asked (SubmissionDecided.decision_id).
    request_id: UUID
    answer: Sealed  # events.personal.INFORMATION_ANSWER


class AgencyInformation(BaseModel):
    """The citizen's answer as the agency reads it, decrypted, on its submissions topic (header
    `civicflow-message-kind: information`): one per answer, `event_id` unique."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    kind: Literal["information"] = "information"
    event_id: UUID
    submission_id: UUID
    agency_id: AgencyId
    request_id: UUID
    answer: Letter
    answered_at: datetime
    sent_at: datetime = Field(description="when routing sent it")
