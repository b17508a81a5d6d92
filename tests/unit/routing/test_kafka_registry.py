"""The registry routing follows on its topic: each valid version replaces the one before; a record that is no valid
registry, or a deletion, is logged without its content and changes nothing."""

import json
import logging

import pytest

from civicflow.routing.adapters.kafka_registry import LatestRegistry

KOELN, BERLIN, BUSINESS = "05315000", "11000000", "99050012104000"


def version(*agencies: tuple[str, str]) -> bytes:
    """A registry whose agencies handle the business registration, each in its municipality."""
    return json.dumps(
        {
            "agencies": [
                {"agency_id": agency_id, "name": agency_id.title(), "services": [BUSINESS], "jurisdiction": [where]}
                for agency_id, where in agencies
            ]
        }
    ).encode()


def responsible(latest: LatestRegistry, municipality_key: str) -> str | None:
    found = latest.current().responsible(municipality_key, BUSINESS)
    return found.agency_id if found else None


def test_nothing_is_current_before_a_version_is_read() -> None:
    latest = LatestRegistry()
    assert not latest.loaded
    with pytest.raises(LookupError):
        latest.current()


def test_each_valid_version_replaces_the_one_before() -> None:
    latest = LatestRegistry()
    assert latest.apply(version(("koeln-gewerbe", KOELN)), offset=0)
    assert responsible(latest, KOELN) == "koeln-gewerbe"
    assert latest.apply(version(("koeln-gewerbe-neu", KOELN), ("berlin-gewerbe", BERLIN)), offset=1)
    assert responsible(latest, KOELN) == "koeln-gewerbe-neu"
    assert responsible(latest, BERLIN) == "berlin-gewerbe"


@pytest.mark.parametrize(
    "value",
    [
        b"not json",
        b'{"agencies": {}}',
        "\udcff".encode("utf-8", "surrogateescape"),  # not UTF-8
        version(("koeln-gewerbe", KOELN), ("koeln-gewerbe", BERLIN)),  # one id twice
        json.dumps({"agencies": [{"agency_id": "geheim-amt", "name": "Geheimamt", "services": [BUSINESS]}]}).encode(),
        None,  # a deletion (tombstone) on the compacted topic
    ],
)
def test_a_record_that_is_no_valid_registry_leaves_the_previous_version(
    value: bytes | None, caplog: pytest.LogCaptureFixture
) -> None:
    latest = LatestRegistry()
    latest.apply(version(("koeln-gewerbe", KOELN)), offset=0)
    with caplog.at_level(logging.ERROR):
        assert not latest.apply(value, offset=1)
    assert responsible(latest, KOELN) == "koeln-gewerbe"
    [logged] = caplog.records
    assert "offset 1" in logged.getMessage()
    assert "Geheimamt" not in logged.getMessage()  # the error, never the content


def test_an_invalid_first_record_leaves_routing_without_a_registry() -> None:
    latest = LatestRegistry()
    assert not latest.apply(b"{}", offset=0)
    assert not latest.loaded
