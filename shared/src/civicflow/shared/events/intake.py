"""Events published by intake."""

from typing import ClassVar

from civicflow.shared.events.base import StatusEvent, Step
from civicflow.shared.security.sealing import Sealed


class SubmissionReceived(StatusEvent):
    step: ClassVar[Step] = Step.RECEIVED

    service_id: str
    # Sealed (events.personal): a reader of the topic without the keys sees none of it.
    applicant: Sealed
    form: Sealed
    # For the identity service only, which alone holds its key; it travels no further.
    identity_token: Sealed
