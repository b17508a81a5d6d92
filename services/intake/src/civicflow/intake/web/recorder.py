"""Where the pages' funnel goes (intake.experience.Experience, in the composition root)."""

from typing import Protocol
from uuid import UUID

from civicflow.intake.domain.messages import Language
from civicflow.shared.events.experience import Device, ExperienceKind


class Recorder(Protocol):
    """Where the pages' funnel goes (intake.experience.Experience): it returns at once, never waiting for Kafka."""

    async def record(
        self,
        kind: ExperienceKind,
        service_id: str,
        journey_id: UUID,
        language: Language,
        device: Device,
        field: str | None = None,
    ) -> None: ...
