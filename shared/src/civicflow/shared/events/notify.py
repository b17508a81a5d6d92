"""Events published by notify."""

from typing import ClassVar

from civicflow.shared.events.base import Event, Step


class CitizenNotified(Event):
    """The citizen was told about `notified_step` over `channel`."""

    step: ClassVar[Step] = Step.NOTIFIED

    notified_step: str
    channel: str
