"""Events published by routing, including the application as the responsible agency receives it."""

from datetime import datetime
from typing import Any, ClassVar, Literal

from civicflow.shared.events.base import Event, StatusEvent, Step
from civicflow.shared.events.common import ApplicantAttribute, AttachmentRef, CitizenId, DisclosedApplicant
from civicflow.shared.events.identity import AssuranceLevel

UnroutableReason = Literal["unknown_postal_code", "no_responsible_agency", "ambiguous_municipality"]


class SubmissionRouted(StatusEvent):
    step: ClassVar[Step] = Step.ROUTED

    agency_id: str
    municipality_key: str


class SubmissionUnroutable(StatusEvent):
    step: ClassVar[Step] = Step.UNROUTABLE

    reason: UnroutableReason
    municipality_key: str | None = None


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
