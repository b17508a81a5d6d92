"""Events published by intake."""

from typing import Any, ClassVar

from pydantic import Field

from civicflow.shared.events.base import StatusEvent, Step
from civicflow.shared.events.common import Applicant


class SubmissionReceived(StatusEvent):
    step: ClassVar[Step] = Step.RECEIVED

    service_id: str
    applicant: Applicant
    form: dict[str, Any]
    # The identity assertion travels to the identity service only; never log or trace it.
    identity_token: str = Field(repr=False)
