import pytest

from civicflow.routing.domain.registry import Municipality, PostalIndex
from civicflow.routing.domain.routing import NeedsClarification, Routed, Unroutable, route, route_in
from civicflow.shared.events import Address
from tests.support.agencies import keyed_registry, unit_key

REGISTRY = keyed_registry()  # the bundled registry, each agency with a key to receive applications
BUSINESS = "99050012104000"
PARKING = "99108001001000"


def address(postal_code: str, city: str) -> Address:
    return Address(street="Hauptstraße 1", postal_code=postal_code, city=city)


@pytest.mark.parametrize(
    ("postal_code", "city", "agency_id", "key"),
    [
        ("51147", "Köln", "koeln-gewerbe", "05315000"),
        ("10117", "Berlin", "berlin-gewerbe", "11000000"),
        ("80331", "München", "muenchen-kvr", "09162000"),
        ("60311", "Frankfurt am Main", "frankfurt-gewerbe", "06412000"),
        ("60311", "Frankfurt", "frankfurt-gewerbe", "06412000"),
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


def test_a_city_that_is_not_in_the_postal_code_is_a_question_not_the_postal_codes_municipality(
    germany: PostalIndex,
) -> None:
    # Before: the only municipality of the postal code was taken whatever the city said ("51147 Flensburg" → Köln).
    assert route(BUSINESS, address("51147", "Flensburg"), germany, REGISTRY) == NeedsClarification(
        "postal_code_city_mismatch", (Municipality("05315000", "Köln"),)
    )


def test_a_postal_code_shared_by_several_municipalities_is_decided_by_the_city(germany: PostalIndex) -> None:
    shared = germany.lookup("22929")  # eight municipalities in two districts, two names twice
    assert len({m.key for m in shared}) > 1
    decision = route(BUSINESS, address("22929", "Rausdorf"), germany, REGISTRY)
    assert decision == Unroutable("no_responsible_agency", "01062058")
    assert route(BUSINESS, address("22929", "Irgendwo"), germany, REGISTRY) == NeedsClarification(
        "postal_code_city_mismatch", shared
    )
    ambiguous = route(BUSINESS, address("22929", "Köthel"), germany, REGISTRY)
    assert isinstance(ambiguous, NeedsClarification) and ambiguous.reason == "ambiguous_municipality"
    assert {m.key for m in ambiguous.choices} == {"01053070", "01062040"}


def test_the_citizens_choice_is_routed_in_that_municipality() -> None:
    decision = route_in(BUSINESS, "05315000", REGISTRY)
    assert isinstance(decision, Routed) and decision.agency.agency_id == "koeln-gewerbe"
    assert route_in(BUSINESS, "01001000", REGISTRY) == Unroutable("no_responsible_agency", "01001000")


def test_an_agency_is_routed_to_with_its_newest_key_and_one_without_a_key_cannot_receive() -> None:
    decision = route_in(BUSINESS, "05315000", REGISTRY)
    assert isinstance(decision, Routed) and decision.key.kid == unit_key("koeln-gewerbe").kid
    keyless = keyed_registry(without_keys=("koeln-gewerbe",))
    assert route_in(BUSINESS, "05315000", keyless) == Unroutable("agency_cannot_receive", "05315000")


def test_every_registry_jurisdiction_is_real_and_each_real_municipality_has_at_most_one_agency(
    germany: PostalIndex,
) -> None:
    real_keys = {m.key for found in germany.municipalities.values() for m in found}
    for agency in REGISTRY.agencies():
        assert all(any(key.startswith(prefix) for key in real_keys) for prefix in agency.jurisdiction), agency
    services = {service for agency in REGISTRY.agencies() for service in agency.services}
    for key in real_keys:
        for service in services:
            claims = [
                (len(prefix), agency.agency_id)
                for agency in REGISTRY.agencies()
                if service in agency.services
                for prefix in agency.jurisdiction
                if key.startswith(prefix)
            ]
            longest = [agency_id for length, agency_id in claims if length == max(claims)[0]]
            assert len(longest) <= 1, (key, service)
            found = REGISTRY.responsible(key, service)
            assert (found.agency_id if found else None) == (longest[0] if longest else None)
