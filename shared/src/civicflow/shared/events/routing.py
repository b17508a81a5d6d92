"""Events published by routing, including the application as the responsible agency receives it."""

from datetime import datetime
from typing import Annotated, Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, StringConstraints

from civicflow.shared.events.base import Event, StatusEvent, Step
from civicflow.shared.events.common import ApplicantAttribute, AttachmentRef, CitizenId, DisclosedApplicant
from civicflow.shared.events.identity import AssuranceLevel

UnroutableReason = Literal[
    "unknown_postal_code",
    "no_responsible_agency",
    "ambiguous_municipality",
    # Asked which municipality their address is in, the citizen did not answer in time (routing.domain.waiting).
    "clarification_not_given",
    # The citizen erased their profile while the application waited for their answer: routing keeps nothing of them.
    "erased_while_waiting",
    # The responsible agency has no encryption key in the registry: it cannot be sent the application, which never
    # travels in clear (civicflow_agency.wire).
    "agency_cannot_receive",
]
# Why routing asks the citizen: the postal code spans several municipalities and the city name does not tell which,
# or the city name is none of the municipalities of the postal code ("51147 Flensburg"). Never a guess.
ClarificationReason = Literal["ambiguous_municipality", "postal_code_city_mismatch"]
MunicipalityKey = Annotated[str, StringConstraints(pattern=r"^[0-9]{8}$")]  # the AGS


class SubmissionRouted(StatusEvent):
    step: ClassVar[Step] = Step.ROUTED

    agency_id: str
    municipality_key: str
    # As the registry names it, for the citizen's message (nothing personal).
    agency_name: str | None = None


class SubmissionUnroutable(StatusEvent):
    step: ClassVar[Step] = Step.UNROUTABLE

    reason: UnroutableReason
    municipality_key: str | None = None

    @property
    def closes_case(self) -> bool:
        return True


class MunicipalityChoice(BaseModel):
    """One municipality the address may be in, as the citizen is offered it."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    municipality_key: MunicipalityKey
    name: str


class SubmissionNeedsClarification(StatusEvent):
    """The application waits in routing until the citizen says which municipality their address is in."""

    step: ClassVar[Step] = Step.CLARIFICATION_NEEDED

    reason: ClarificationReason
    choices: tuple[MunicipalityChoice, ...]


class AgencySubmission(Event):
    """The application delivered to `agency.<agency-id>.submissions`; key = submission id.

    Only what the agency needs: of the applicant what its service's catalogue entry names, the form, the level of
    assurance, which of the applicant's details were verified at that level, and a citizen id of its own
    (`citizen_id`, per agency); never the identity token nor identity's citizen id."""

    agency_id: str
    municipality_key: str
    service_id: str
    applicant: DisclosedApplicant
    form: dict[str, Any]
    attachments: tuple[AttachmentRef, ...] = ()
    level_of_assurance: AssuranceLevel
    # Those of the applicant's details identity checked against the identity assertion (at `level_of_assurance`);
    # none for an application filed without one.
    verified_attributes: tuple[ApplicantAttribute, ...] = ()
    # Per agency: the same for every application of one person to this agency, and unrelated to the id the
    # same person has at any other agency or in identity, so agencies cannot join their records on it
    # (routing's HMAC of identity's citizen id under its agency pseudonym key); None without an assertion.
    citizen_id: CitizenId | None = None
    received_at: datetime
