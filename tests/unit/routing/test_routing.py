from pathlib import Path

import pytest

from civicflow.routing.adapters.file_reference_data import load_agency_registry, load_postal_index
from civicflow.routing.domain.registry import AgencyRegistry, PostalIndex
from civicflow.routing.domain.routing import Routed, Unroutable, route
from civicflow.shared.events import Address

SHARED_TABLE = Path(__file__).resolve().parents[4] / "shared" / "data" / "de-regions" / "plz_ags.csv"
REGISTRY = load_agency_registry()
BUSINESS = "99050012104000"
PARKING = "99108001001000"


@pytest.fixture(scope="module")
def germany() -> PostalIndex:
    if not SHARED_TABLE.exists():
        pytest.fail(f"the German postal-code table is missing beside the repository: {SHARED_TABLE}")
    return load_postal_index(SHARED_TABLE)


def address(postal_code: str, city: str) -> Address:
    return Address(street="Hauptstraße 1", postal_code=postal_code, city=city)


@pytest.mark.parametrize(
    ("postal_code", "city", "agency_id", "key"),
    [
        ("51147", "Köln", "koeln-gewerbe", "05315000"),
        ("10117", "Berlin", "berlin-gewerbe", "11000000"),
        ("80331", "München", "muenchen-kvr", "09162000"),
        ("60311", "Frankfurt am Main", "frankfurt-gewerbe", "06412000"),
    ],
)
def test_real_postal_codes_reach_the_responsible_agency(
    germany: PostalIndex, postal_code: str, city: str, agency_id: str, key: str
) -> None:
    decision = route(BUSINESS, address(postal_code, city), germany, REGISTRY)
    assert isinstance(decision, Routed)
    assert (decision.agency.agency_id, decision.municipality_key) == (agency_id, key)


def test_the_same_service_goes_to_another_agency_elsewhere(germany: PostalIndex) -> None:
    decision = route(PARKING, address("80331", "München"), germany, REGISTRY)
    assert isinstance(decision, Routed) and decision.agency.agency_id == "muenchen-kvr"
    decision = route(PARKING, address("50667", "Köln"), germany, REGISTRY)
    assert isinstance(decision, Routed) and decision.agency.agency_id == "koeln-bewohnerparken"


def test_a_municipality_without_a_responsible_agency_is_unroutable(germany: PostalIndex) -> None:
    assert route(BUSINESS, address("24937", "Flensburg"), germany, REGISTRY) == Unroutable(
        "no_responsible_agency", "01001000"
    )
    assert route(PARKING, address("60311", "Frankfurt am Main"), germany, REGISTRY) == Unroutable(
        "no_responsible_agency", "06412000"
    )


def test_an_unknown_postal_code_is_unroutable(germany: PostalIndex) -> None:
    assert route(BUSINESS, address("00000", "Nirgendwo"), germany, REGISTRY) == Unroutable("unknown_postal_code")


def test_a_postal_code_shared_by_several_municipalities_is_decided_by_the_city(germany: PostalIndex) -> None:
    shared = next(plz for plz, found in germany.municipalities.items() if len(found) > 1)
    first, second = germany.lookup(shared)[:2]
    decision = route(BUSINESS, address(shared, second.name), germany, REGISTRY)
    assert decision == Unroutable("no_responsible_agency", second.key) or (
        isinstance(decision, Routed) and decision.municipality_key == second.key
    )
    if first.name != second.name:
        assert route(BUSINESS, address(shared, "Irgendwo"), germany, REGISTRY) == Unroutable("ambiguous_municipality")


def test_the_bundled_postal_extract_agrees_with_the_real_table(germany: PostalIndex) -> None:
    bundled = load_postal_index()
    for postal_code, municipalities in bundled.municipalities.items():
        real = {municipality.key for municipality in germany.lookup(postal_code)}
        assert {municipality.key for municipality in municipalities} <= real, postal_code


def test_every_registry_municipality_is_a_real_one(germany: PostalIndex) -> None:
    real_keys = {m.key for found in germany.municipalities.values() for m in found}
    assert {agency.municipality_key for agency in REGISTRY.agencies()} <= real_keys


def test_two_agencies_for_one_service_in_one_place_are_refused() -> None:
    duplicate = (
        '{"agencies": ['
        + ",".join(
            f'{{"agency_id": "a{i}", "name": "A", "municipality_key": "05315000", "services": ["{BUSINESS}"]}}'
            for i in range(2)
        )
        + "]}"
    )
    with pytest.raises(ValueError, match="two agencies"):
        AgencyRegistry.from_json(duplicate)
