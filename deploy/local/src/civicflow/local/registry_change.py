"""What a new version of the agency registry changes, and whether it may be published: an agency is retired only
once no application of it is in flight, so that none is left without an agency to answer it."""

from collections.abc import Mapping
from dataclasses import dataclass

from civicflow.routing.domain.registry import Agency, AgencyRegistry


class RegistryRefused(Exception):
    """A registry version that is not published; the message says why."""


def _by_id(registry: AgencyRegistry | None) -> dict[str, Agency]:
    return {} if registry is None else {agency.agency_id: agency for agency in registry.agencies()}


@dataclass(frozen=True)
class RegistryChange:
    added: tuple[str, ...] = ()
    changed: tuple[str, ...] = ()
    retired: tuple[str, ...] = ()

    @classmethod
    def between(cls, current: AgencyRegistry | None, new: AgencyRegistry) -> "RegistryChange":
        """By agency id; None: nothing is published yet, every agency is new."""
        before, after = _by_id(current), _by_id(new)
        return cls(
            added=tuple(sorted(after.keys() - before.keys())),
            # Compared by their fields as published (model_dump): services, jurisdiction, keys, name, contact.
            changed=tuple(
                sorted(
                    agency_id
                    for agency_id in after.keys() & before.keys()
                    if after[agency_id].model_dump() != before[agency_id].model_dump()
                )
            ),
            retired=tuple(sorted(before.keys() - after.keys())),
        )

    def __bool__(self) -> bool:
        return bool(self.added or self.changed or self.retired)

    def describe(self) -> str:
        if not self:
            return "no agency changed"
        parts = zip(("added", "changed", "retired"), (self.added, self.changed, self.retired), strict=True)
        return "; ".join(f"{what}: {', '.join(ids)}" for what, ids in parts if ids)


def refuse_retiring_in_flight(change: RegistryChange, in_flight: Mapping[str, int]) -> None:
    """Raises RegistryRefused naming each retired agency that still has applications in flight, and how many."""
    blocked = {agency_id: in_flight.get(agency_id, 0) for agency_id in change.retired}
    named = [f"{agency_id} has {count} in flight" for agency_id, count in blocked.items() if count]
    if named:
        raise RegistryRefused(
            f"not published: an agency is retired only once it has answered every application delivered to it"
            f" ({'; '.join(named)}); keep it in the registry until then"
        )
