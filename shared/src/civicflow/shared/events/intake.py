"""Events published by intake."""

from typing import ClassVar

from civicflow.shared.events.base import StatusEvent, Step
from civicflow.shared.events.common import APPLICANT_ATTRIBUTES, ApplicantAttribute, AttachmentRef
from civicflow.shared.events.identity import AssuranceLevel
from civicflow.shared.events.routing import MunicipalityKey
from civicflow.shared.security.sealing import Sealed


class SubmissionReceived(StatusEvent):
    step: ClassVar[Step] = Step.RECEIVED

    service_id: str
    # Sealed (events.personal): a reader of the topic without the keys sees none of it.
    applicant: Sealed
    form: Sealed
    attachments: tuple[AttachmentRef, ...] = ()
    # What the agency is given of the applicant (the service's catalogue entry): routing hands on only these.
    agency_needs: tuple[ApplicantAttribute, ...] = APPLICANT_ATTRIBUTES
    # What the service asks for (its catalogue entry): identity checks the assertion against it.
    minimum_level_of_assurance: AssuranceLevel = "low"
    # For the identity service only, which alone holds its key; it travels no further. None only for a service
    # that needs no identity and was filed without an assertion.
    identity_token: Sealed | None = None
    # The citizen's consent (the page's checkbox, the API's `keep_profile`) to keep what identity verifies, the
    # address and the contact preferences as their once-only profile (events.profile).
    keep_profile: bool = False


class ClarificationProvided(StatusEvent):
    """The citizen said, on the status page, which of the offered municipalities their address is in; routing
    routes the waiting application there (only to one it offered)."""

    step: ClassVar[Step] = Step.CLARIFIED

    municipality_key: MunicipalityKey
