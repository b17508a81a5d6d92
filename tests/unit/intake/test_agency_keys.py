"""What intake reads of the agency registry: each agency's id, encryption key and signing keys, nothing else; a
version that is not the registry's shape, or lists a key that is no usable public key, is refused whole (a
ValueError naming the agency, never the key's material), so that the version before it stays."""

import json
import logging
from typing import Any

import pytest

from civicflow.intake.domain.agency_keys import parse_agency_keys
from civicflow.shared.messaging.compacted import LatestVersion
from tests.support.agencies import registry_json, unit_key, unit_signing_key

GEWERBE = "koeln-gewerbe"


def registry(*agencies: dict[str, Any]) -> bytes:
    return json.dumps({"agencies": list(agencies)}).encode()


def gewerbe(*keys: dict[str, Any]) -> dict[str, Any]:
    return {"agency_id": GEWERBE, "name": "Stadt Köln", "services": ["99050012104000"], "public_keys": list(keys)}


def test_each_agency_is_kept_with_its_encryption_and_signing_keys_only() -> None:
    encryption, signing = unit_key(GEWERBE).as_dict(private=False), unit_signing_key(GEWERBE).as_dict(private=False)
    directory = parse_agency_keys(registry(gewerbe(encryption, signing), {"agency_id": "koeln-standesamt"}))
    found = directory.get(GEWERBE)
    assert found is not None and found.agency_id == GEWERBE
    assert found.encryption_key is not None and found.encryption_key.kid == unit_key(GEWERBE).kid
    assert [key.kid for key in found.signing_keys] == [unit_signing_key(GEWERBE).kid]
    without = directory.get("koeln-standesamt")
    assert without is not None and without.encryption_key is None and without.signing_keys == ()
    assert directory.get("nirgendwo-amt") is None


def test_the_bundled_registry_with_its_keys_is_read() -> None:
    directory = parse_agency_keys(registry_json().encode())
    assert len(directory.agencies) == len(json.loads(registry_json())["agencies"])


@pytest.mark.parametrize(
    "value",
    [
        b"not json",
        "\udcff".encode("utf-8", "surrogateescape"),
        b"[]",
        b'{"agencies": {}}',
        registry("koeln-gewerbe"),  # type: ignore[arg-type]
        registry({"name": "ohne Kennung"}),
        registry({"agency_id": "Köln Gewerbe"}),
        registry(gewerbe(), gewerbe()),  # one id twice
        registry({"agency_id": GEWERBE, "public_keys": {}}),
        registry(gewerbe(unit_key(GEWERBE).as_dict(private=True))),  # a private key in a public registry
        registry(gewerbe({"kty": "RSA", "kid": "kaputt", "n": "AQAB", "e": "AQAB"})),
    ],
)
def test_a_version_that_is_no_registry_is_refused_whole(value: bytes) -> None:
    with pytest.raises(ValueError, match="agency"):  # the registry, or the agency by its id or position
        parse_agency_keys(value)


def test_a_refused_version_leaves_the_previous_one_and_is_logged_without_its_keys(
    caplog: pytest.LogCaptureFixture,
) -> None:
    latest = LatestVersion(parse_agency_keys, "agency registry")
    assert latest.apply(registry(gewerbe(unit_key(GEWERBE).as_dict(private=False))), offset=0)
    private = unit_key(GEWERBE).as_dict(private=True)
    with caplog.at_level(logging.ERROR):
        assert not latest.apply(registry(gewerbe(private)), offset=1)
    assert latest.current().get(GEWERBE) is not None
    [logged] = caplog.records
    assert "offset 1" in logged.getMessage() and GEWERBE in logged.getMessage()
    assert str(private["d"]) not in logged.getMessage() and str(private["n"]) not in logged.getMessage()
