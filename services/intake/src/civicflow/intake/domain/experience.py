"""A step of a visit to a service's page, as intake records it: checked against the catalogue, with the device told
only coarsely (events.experience)."""

from uuid import UUID

from civicflow.intake.domain.catalogue import Catalogue
from civicflow.shared.events.common import Language
from civicflow.shared.events.experience import Device, ExperienceKind, ExperienceRecorded


class UnknownService(ValueError):
    """The service id is no service of the catalogue."""


def device_of(user_agent: str | None) -> Device:
    """ "Mobi" anywhere in the User-Agent is the mark of a phone's browser (MDN, "Browser detection using the user
    agent": mobile device detection); the header itself is not kept."""
    if not user_agent:
        return "unknown"
    return "phone" if "Mobi" in user_agent else "desktop"


def experience_event(
    catalogue: Catalogue,
    kind: ExperienceKind,
    service_id: str,
    journey_id: UUID,
    language: Language,
    device: Device,
    field: str | None = None,
) -> ExperienceRecorded:
    """The event, or UnknownService, or pydantic's ValidationError (a ValueError) naming the fields that do not fit."""
    if catalogue.get(service_id) is None:
        raise UnknownService("no service with this key is in the catalogue")
    return ExperienceRecorded(
        kind=kind, service_id=service_id, journey_id=journey_id, field=field, language=language, device=device
    )
