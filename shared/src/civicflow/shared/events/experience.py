"""Experience events, published by intake: a step of a visit to a service's page (its funnel), and a citizen's rating
of their application once decided (ServiceRated), both without personal data.

Only what an administration needs to see where citizens give up: which step, on which service, in which language,
on which coarse kind of device, and for a failed check which field (its JSON Pointer, RFC 6901, never its value).
The journey id is a random UUID the page makes per visit; it links the steps of one visit and nothing else: no
submission id, no IP address, no user agent, no input is carried (extra="forbid" refuses any other field)."""

from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any, Literal
from uuid import UUID, uuid4

from pydantic import (
    UUID4,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationInfo,
    field_validator,
    model_validator,
)

from civicflow.shared.events.base import complete_when_received, utc_now
from civicflow.shared.events.common import Language


class ExperienceKind(StrEnum):
    SERVICE_VIEWED = "service_viewed"
    FORM_STARTED = "form_started"
    VALIDATION_FAILED = "validation_failed"
    SUMMARY_REACHED = "summary_reached"
    SUBMITTED = "submitted"
    ABANDONED = "abandoned"


# Derived by intake from the User-Agent, which itself is never kept: coarse enough to identify no one.
Device = Literal["phone", "desktop", "unknown"]
# A LeiKa service key (Leistungskatalog), as the catalogue names its services.
ServiceId = Annotated[str, StringConstraints(pattern=r"^99[0-9]{12}$")]
# A pointer to a form field as the validation names it (/form/dog_name, /applicant/address/postal_code): lower-case
# names only, so that no value can travel in it.
FieldPointer = Annotated[str, StringConstraints(max_length=100, pattern=r"^(/[a-z0-9_]+)+$")]

ENVELOPE = ("event_id", "schema_version", "occurred_at")


class ExperienceRecorded(BaseModel):
    """A step of one visit to a service's page, without personal data."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    event_id: UUID = Field(default_factory=uuid4)
    schema_version: int = 1
    occurred_at: datetime = Field(default_factory=utc_now)
    kind: ExperienceKind
    service_id: ServiceId
    journey_id: UUID4 = Field(description="random per visit; linked to no person and no submission")
    field: FieldPointer | None = Field(
        default=None, validate_default=True, description="the failing field, for validation_failed only"
    )
    language: Language
    device: Device = Field(description="from the User-Agent, which is not kept")

    @model_validator(mode="before")
    @classmethod
    def _envelope_complete_when_received(cls, data: Any, info: ValidationInfo) -> Any:
        return complete_when_received(data, info, ENVELOPE)

    @field_validator("field")
    @classmethod
    def _field_only_for_a_failed_check(cls, field: str | None, info: ValidationInfo) -> str | None:
        kind = info.data.get("kind")
        if kind is ExperienceKind.VALIDATION_FAILED and field is None:
            raise ValueError("a validation_failed event names its field")
        if kind is not None and kind is not ExperienceKind.VALIDATION_FAILED and field is not None:
            raise ValueError("only a validation_failed event names a field")
        return field


# The agency's final decisions (events.agency.Outcome without the request for information): a case closes with one.
ClosingOutcome = Literal["accepted", "rejected"]
RATED_ENVELOPE = ("event_id", "schema_version", "occurred_at")


class ServiceRated(BaseModel):
    """A citizen's rating (1 to 5) of how their application went, given once the agency decided, on the page the
    closing message links. Only what an administration aggregates: the service, the score, the language, whether a
    comment was written (the comment itself stays in intake's store) and the decision's outcome. No submission id,
    nor anything derived from it: the event id is random, minted once when intake stores the rating and kept with it
    in its outbox, so a publish retried is the same event and nobody who knows a submission id (its agency) can find
    its rating."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    event_id: UUID = Field(default_factory=uuid4)
    schema_version: int = 1
    occurred_at: datetime = Field(default_factory=utc_now)
    service_id: ServiceId
    score: Annotated[int, Field(strict=True, ge=1, le=5, description="1 (very dissatisfied) to 5 (very satisfied)")]
    language: Language
    commented: bool = Field(description="whether the citizen wrote a comment; the comment is not published")
    outcome: ClosingOutcome = Field(description="the agency's decision the rating follows")

    @model_validator(mode="before")
    @classmethod
    def _envelope_complete_when_received(cls, data: Any, info: ValidationInfo) -> Any:
        return complete_when_received(data, info, RATED_ENVELOPE)
