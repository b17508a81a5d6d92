"""Loading routing's reference data from the bundled files or from the files named: the postal table routing's
settings name, and the agency registry a file holds before it is published (`civicflow agencies publish`)."""

from collections.abc import Callable
from importlib import resources
from pathlib import Path
from typing import TypeVar

from civicflow.routing.domain.registry import AgencyRegistry, PostalIndex, ReferenceDataError

T = TypeVar("T")


def bundled(name: str) -> str:
    """The text of a table bundled with the service (postal_codes.csv, agencies.json)."""
    return resources.files("civicflow.routing").joinpath(f"data/{name}").read_text("utf-8")


def _load(path: Path | None, bundled_name: str, parse: Callable[[str], T]) -> T:
    source = str(path) if path is not None else f"the bundled {bundled_name}"
    text = path.read_text("utf-8") if path is not None else bundled(bundled_name)
    try:
        return parse(text)
    except ReferenceDataError as error:
        raise ReferenceDataError(f"{source}: {error}") from error


def load_postal_index(path: Path | None = None) -> PostalIndex:
    """The short `plz,ags,ort` table or the public `osm_id,ags,ort,plz,landkreis,bundesland` one."""
    return _load(path, "postal_codes.csv", PostalIndex.from_csv)


def load_agency_registry(path: Path | None = None) -> AgencyRegistry:
    return _load(path, "agencies.json", AgencyRegistry.from_json)
