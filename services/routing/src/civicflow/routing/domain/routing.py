"""Deciding which agency an application goes to."""

import unicodedata
from dataclasses import dataclass

from civicflow.routing.domain.registry import Agency, AgencyRegistry, Municipality, PostalIndex
from civicflow.shared.events import Address
from civicflow.shared.events.routing import UnroutableReason


@dataclass(frozen=True)
class Routed:
    agency: Agency
    municipality_key: str


@dataclass(frozen=True)
class Unroutable:
    reason: UnroutableReason
    municipality_key: str | None = None


def route(service_id: str, address: Address, postal: PostalIndex, registry: AgencyRegistry) -> Routed | Unroutable:
    candidates = _narrow_by_city(postal.lookup(address.postal_code), address.city)
    if not candidates:
        return Unroutable("unknown_postal_code")
    if len(candidates) > 1:
        # One postal code, several municipalities, and the city name does not tell them apart.
        return Unroutable("ambiguous_municipality")
    municipality = candidates[0]
    agency = registry.responsible(municipality.key, service_id)
    if agency is None:
        return Unroutable("no_responsible_agency", municipality.key)
    return Routed(agency, municipality.key)


def _narrow_by_city(candidates: tuple[Municipality, ...], city: str) -> tuple[Municipality, ...]:
    if len(candidates) <= 1:
        return candidates
    matching = tuple(m for m in candidates if _comparable(m.name) == _comparable(city))
    return matching or candidates


def _comparable(name: str) -> str:
    return " ".join(unicodedata.normalize("NFC", name).casefold().split())
