"""Deciding which agency an application goes to: postal code and city name → municipality (AGS) → agency.

Never a guess: a city name that fits none of the postal code's municipalities, or several, is a question to the
citizen (NeedsClarification), not a pick."""

from dataclasses import dataclass

from joserfc.jwk import RSAKey

from civicflow.routing.domain.place_names import city_names
from civicflow.routing.domain.registry import Agency, AgencyRegistry, Municipality, PostalIndex
from civicflow.shared.events import Address
from civicflow.shared.events.routing import ClarificationReason, UnroutableReason


@dataclass(frozen=True)
class Routed:
    agency: Agency
    municipality_key: str
    key: RSAKey  # the agency's encryption key the application is sent under (its newest)


@dataclass(frozen=True)
class Unroutable:
    reason: UnroutableReason
    municipality_key: str | None = None


@dataclass(frozen=True)
class NeedsClarification:
    """The address does not say which municipality it is in: the citizen is asked to choose one of `choices`."""

    reason: ClarificationReason
    choices: tuple[Municipality, ...]


def route(
    service_id: str, address: Address, postal: PostalIndex, registry: AgencyRegistry
) -> Routed | Unroutable | NeedsClarification:
    candidates = postal.lookup(address.postal_code)
    if not candidates:
        return Unroutable("unknown_postal_code")
    matching = tuple(m for m in candidates if city_names(address.city, m.name))
    if not matching:
        return NeedsClarification("postal_code_city_mismatch", candidates)
    if len({m.key for m in matching}) > 1:
        # One postal code, several municipalities, and the city name does not tell them apart.
        return NeedsClarification("ambiguous_municipality", matching)
    return route_in(service_id, matching[0].key, registry)


def route_in(service_id: str, municipality_key: str, registry: AgencyRegistry) -> Routed | Unroutable:
    """To the agency responsible for the service in this municipality (the citizen's clarification names it)."""
    agency = registry.responsible(municipality_key, service_id)
    if agency is None:
        return Unroutable("no_responsible_agency", municipality_key)
    key = agency.encryption_key()
    if key is None:  # an application never travels in clear: without a key the agency cannot be sent it
        return Unroutable("agency_cannot_receive", municipality_key)
    return Routed(agency, municipality_key, key)
