"""Publishing a registry version: what it changes, by agency id, and the refusal to retire an agency whose
applications are still in flight."""

import json
from pathlib import Path
from typing import Any

import pytest

from civicflow.local.agencies import run_publish
from civicflow.local.layout import Layout
from civicflow.local.registry_change import RegistryChange, RegistryRefused, refuse_retiring_in_flight
from civicflow.routing.domain.registry import AgencyRegistry

BUSINESS, PARKING = "99050012104000", "99108001001000"


def agency(agency_id: str, jurisdiction: str, services: tuple[str, ...] = (BUSINESS,)) -> dict[str, Any]:
    return {
        "agency_id": agency_id,
        "name": agency_id.title(),
        "services": list(services),
        "jurisdiction": [jurisdiction],
    }


def registry(*agencies: dict[str, Any]) -> AgencyRegistry:
    return AgencyRegistry.from_json(json.dumps({"agencies": list(agencies)}))


CURRENT = registry(
    agency("koeln-gewerbe", "05315000"), agency("berlin-gewerbe", "11"), agency("muenchen-kvr", "09162000")
)


def test_the_first_version_adds_every_agency() -> None:
    change = RegistryChange.between(None, CURRENT)
    assert change == RegistryChange(added=("berlin-gewerbe", "koeln-gewerbe", "muenchen-kvr"))


def test_agencies_are_added_changed_and_retired_by_id() -> None:
    new = registry(
        agency("koeln-gewerbe", "05315"),  # now for the district
        agency("koeln-gewerbe-neu", "05315000"),
        agency("berlin-gewerbe", "11"),
    )
    change = RegistryChange.between(CURRENT, new)
    assert change == RegistryChange(added=("koeln-gewerbe-neu",), changed=("koeln-gewerbe",), retired=("muenchen-kvr",))
    assert change.describe() == "added: koeln-gewerbe-neu; changed: koeln-gewerbe; retired: muenchen-kvr"


def test_the_same_version_changes_nothing() -> None:
    same = RegistryChange.between(CURRENT, registry(*(a.model_dump() for a in CURRENT.agencies())))
    assert not same
    assert same.describe() == "no agency changed"


def test_an_agency_with_applications_in_flight_is_not_retired() -> None:
    change = RegistryChange(retired=("koeln-gewerbe", "muenchen-kvr"))
    with pytest.raises(RegistryRefused, match=r"koeln-gewerbe has 2 in flight") as refused:
        refuse_retiring_in_flight(change, {"koeln-gewerbe": 2, "muenchen-kvr": 0})
    assert "muenchen-kvr" not in str(refused.value)


def test_an_agency_that_answered_everything_is_retired() -> None:
    refuse_retiring_in_flight(RegistryChange(retired=("muenchen-kvr",)), {"muenchen-kvr": 0})
    refuse_retiring_in_flight(RegistryChange(retired=("muenchen-kvr",)), {})


def test_a_wrong_file_is_refused_in_one_line_naming_the_agency_and_field_before_kafka_is_reached(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "registry.json"
    path.write_text(json.dumps({"agencies": [agency("koeln-gewerbe", "99")]}))
    # No broker at this layout's ports: the file is refused before anything is reached.
    assert run_publish(Layout(root=tmp_path, var_dir=tmp_path / "var"), path, partitions=3) == 2
    [line] = capsys.readouterr().err.splitlines()
    assert line.startswith(f"error: {path}: agency koeln-gewerbe: jurisdiction.0:")
