"""Loading routing's reference data from the bundled files or from the files the settings name."""

from importlib import resources
from pathlib import Path

from civicflow.routing.domain.registry import AgencyRegistry, PostalIndex


def _read(path: Path | None, bundled_name: str) -> str:
    if path is not None:
        return path.read_text("utf-8")
    return resources.files("civicflow.routing").joinpath(f"data/{bundled_name}").read_text("utf-8")


def load_postal_index(path: Path | None = None) -> PostalIndex:
    return PostalIndex.from_csv(_read(path, "postal_codes.csv"))


def load_agency_registry(path: Path | None = None) -> AgencyRegistry:
    return AgencyRegistry.from_json(_read(path, "agencies.json"))
