"""The agency registry: validated on load, the longest AGS prefix wins, and never two agencies for one place."""

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from joserfc.jwk import RSAKey

from civicflow.routing.adapters.file_reference_data import load_agency_registry
from civicflow.routing.domain.registry import AgencyRegistry, ReferenceDataError
from tests.support.agencies import unit_key

BUSINESS = "99050012104000"
PARKING = "99108001001000"
KOELN, LEVERKUSEN, BERLIN = "05315000", "05316000", "11000000"


def agency(agency_id: str, jurisdiction: list[str], services: list[str] | None = None, **more: Any) -> dict[str, Any]:
    return {
        "agency_id": agency_id,
        "name": agency_id.title(),
        "services": services or [BUSINESS],
        "jurisdiction": jurisdiction,
        **more,
    }


def registry(*agencies: dict[str, Any]) -> AgencyRegistry:
    return AgencyRegistry.from_json(json.dumps({"agencies": list(agencies)}))


def responsible_id(registry: AgencyRegistry, municipality_key: str, service_id: str = BUSINESS) -> str | None:
    found = registry.responsible(municipality_key, service_id)
    return found.agency_id if found else None


def test_the_longest_prefix_wins() -> None:
    layered = registry(
        agency("nrw-gewerbe", ["05"]),
        agency("koeln-region", ["05315"]),
        agency("koeln-gewerbe", [KOELN]),
        agency("berlin-gewerbe", ["11"]),
    )
    assert responsible_id(layered, KOELN) == "koeln-gewerbe"
    assert responsible_id(layered, LEVERKUSEN) == "nrw-gewerbe"
    assert responsible_id(layered, BERLIN) == "berlin-gewerbe"
    assert responsible_id(layered, "09162000") is None  # München: nobody
    assert responsible_id(layered, KOELN, PARKING) is None  # another service: nobody
    assert responsible_id(layered, "05") is None  # not a municipality key


def test_two_agencies_claiming_one_service_for_one_prefix_are_refused_naming_both() -> None:
    with pytest.raises(ReferenceDataError, match="koeln-gewerbe and koeln-ordnungsamt both claim service"):
        registry(
            agency("koeln-gewerbe", [KOELN], [PARKING, BUSINESS]),
            agency("koeln-ordnungsamt", ["05", KOELN], [BUSINESS]),
        )


def test_one_agency_id_twice_is_refused() -> None:
    with pytest.raises(ReferenceDataError, match="agency koeln-gewerbe: the agency_id is used twice"):
        registry(agency("koeln-gewerbe", [KOELN]), agency("koeln-gewerbe", [LEVERKUSEN], [PARKING]))


@pytest.mark.parametrize(
    ("item", "message"),
    [
        (agency("Köln Gewerbe", [KOELN]), "agency Köln Gewerbe: agency_id: .*not a valid topic component"),
        (agency("koeln-gewerbe", [KOELN], ["12345"]), "agency koeln-gewerbe: services.0: "),
        (agency("koeln-gewerbe", [KOELN], [BUSINESS, BUSINESS]), "agency koeln-gewerbe: services: .*twice"),
        (agency("koeln-gewerbe", ["053"]), r"agency koeln-gewerbe: jurisdiction.0: .*2 \(state\), 5 \(district\)"),
        (agency("koeln-gewerbe", ["17"]), "agency koeln-gewerbe: jurisdiction.0: .*no German state"),
        (agency("koeln-gewerbe", []), "agency koeln-gewerbe: jurisdiction: "),
        (agency("koeln-gewerbe", [KOELN], public_keys=[{"kty": "RSA"}]), "koeln-gewerbe: public_keys.0.kid: "),
        (agency("koeln-gewerbe", [KOELN], public_keys={"kty": "RSA"}), "agency koeln-gewerbe: public_keys: "),
        ({**agency("koeln-gewerbe", [KOELN]), "name": " "}, "agency koeln-gewerbe: name: "),
        (agency("koeln-gewerbe", [KOELN], contact="Rathaus"), "agency koeln-gewerbe: contact: .*e-mail .* URL"),
        (agency("koeln-gewerbe", [KOELN], municipality_key=KOELN), "koeln-gewerbe: municipality_key: Extra inputs"),
        ({"name": "Ohne Id", "services": [BUSINESS], "jurisdiction": [KOELN]}, "agency number 1: agency_id: "),
    ],
)
def test_an_invalid_agency_is_refused_naming_it_and_the_field(item: dict[str, Any], message: str) -> None:
    with pytest.raises(ReferenceDataError, match=message):
        registry(item)


def public(name: str = "koeln-gewerbe") -> dict[str, Any]:
    return unit_key(name).as_dict(private=False)


def test_public_keys_and_contact_are_kept_as_given() -> None:
    key = public() | {"kid": "2026-11"}
    loaded = registry(agency("koeln-gewerbe", [KOELN], public_keys=[key], contact="gewerbe@stadt-koeln.de"))
    (koeln,) = loaded.agencies()
    assert [public.model_dump() for public in koeln.public_keys] == [key]
    assert koeln.contact == "gewerbe@stadt-koeln.de"
    assert registry(agency("koeln-gewerbe", [KOELN], contact="https://www.stadt-koeln.de")).agencies()


@pytest.fixture(scope="module")
def short_key() -> dict[str, Any]:
    return RSAKey.generate_key(2048, parameters={"kid": "short"}).as_dict(private=False)


def test_a_private_key_a_short_key_or_one_kid_twice_is_refused_naming_the_key(short_key: dict[str, Any]) -> None:
    private = unit_key("koeln-gewerbe").as_dict(private=True)
    cases = [
        ([private], f"public_keys.0: key {private['kid']!r}: a registry holds public keys only"),
        ([public(), short_key], "public_keys.1: key 'short': RSA keys of at least 4096 bits, this has 2048"),
        ([public() | {"kid": "1"}, public("koeln-standesamt") | {"kid": "1"}], "public_keys: .*share a kid"),
        ([public() | {"n": "not base64!"}], "public_keys.0: key .*: not a valid RSA public key"),
        ([{"kty": "EC", "kid": "ec", "crv": "P-256"}], "public_keys.0: key 'ec': an RSA key"),
    ]
    for keys, message in cases:
        with pytest.raises(ReferenceDataError, match=f"agency koeln-gewerbe: {message}") as refused:
            registry(agency("koeln-gewerbe", [KOELN], public_keys=keys))
        assert str(private["d"]) not in str(refused.value)  # no key material in the message


def test_the_first_encryption_key_listed_is_used_and_without_one_the_agency_cannot_receive() -> None:
    signing = public("koeln-standesamt") | {"kid": "sig", "use": "sig", "alg": "RS256"}
    newest, older = public() | {"kid": "2026-11"}, public("koeln-standesamt") | {"kid": "2025-11"}
    (koeln,) = registry(agency("koeln-gewerbe", [KOELN], public_keys=[signing, newest, older])).agencies()
    used = koeln.encryption_key()
    assert used is not None and used.kid == "2026-11"
    (keyless,) = registry(agency("koeln-gewerbe", [KOELN], public_keys=[signing])).agencies()
    assert keyless.encryption_key() is None
    (none,) = registry(agency("koeln-gewerbe", [KOELN])).agencies()
    assert none.encryption_key() is None


def test_a_registry_that_is_not_a_list_of_agencies_is_refused_naming_the_file(tmp_path: Path) -> None:
    path = tmp_path / "agencies.json"
    for text in ("not json", '{"agencies": {}}', "[]"):
        path.write_text(text, "utf-8")
        with pytest.raises(ReferenceDataError, match=str(path)):
            load_agency_registry(path)


def test_the_bundled_registry_is_valid_and_berlin_is_one_land() -> None:
    bundled = load_agency_registry()
    assert len(bundled.agencies()) == 12
    assert responsible_id(bundled, BERLIN) == "berlin-gewerbe"
    assert responsible_id(bundled, KOELN) == "koeln-gewerbe"


# Registries drawn from a small pool of prefixes and services, so that agencies often overlap and sometimes clash.
PREFIXES = ["05", "05315", KOELN, LEVERKUSEN, "05316", "11", BERLIN, "09", "09162000"]
MUNICIPALITIES = [KOELN, LEVERKUSEN, BERLIN, "09162000", "09184119", "05111000"]
SERVICES = [BUSINESS, PARKING, "99027002012000"]
claims = st.tuples(
    st.lists(st.sampled_from(SERVICES), min_size=1, max_size=3, unique=True),
    st.lists(st.sampled_from(PREFIXES), min_size=1, max_size=4, unique=True),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(claims, min_size=1, max_size=6))
def test_every_service_and_municipality_has_at_most_one_agency(drawn: list[tuple[list[str], list[str]]]) -> None:
    agencies = [agency(f"agency-{i}", prefixes, services) for i, (services, prefixes) in enumerate(drawn)]
    pairs = [(service, prefix) for services, prefixes in drawn for service in services for prefix in prefixes]
    try:
        loaded = registry(*agencies)
    except ReferenceDataError:
        assert len(set(pairs)) < len(pairs)  # refused only when two agencies claim one service and prefix
        return
    assert len(set(pairs)) == len(pairs)
    for service in SERVICES:
        for key in MUNICIPALITIES:
            # Found the long way: every claim on this service whose prefix covers the key, the longest ones.
            covering = [
                (len(p), i) for i, (ss, ps) in enumerate(drawn) if service in ss for p in ps if key.startswith(p)
            ]
            longest = [i for length, i in covering if length == max(covering)[0]]
            assert len(longest) <= 1
            assert responsible_id(loaded, key, service) == (f"agency-{longest[0]}" if longest else None)
