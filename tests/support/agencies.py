"""Agencies' keys in tests: opening a record of an agency topic as that agency would, with the local stack's keys
(e2e) or with keys made once per test session (unit tests, where RSA 4096 keys cost about half a second each); and
the keys they sign their decisions with, made the same way."""

import json
from collections.abc import Iterable
from functools import cache
from typing import Any

from civicflow_agency import wire
from joserfc.jwk import RSAKey

from civicflow.local.agency_keys import private_keys, signing_key
from civicflow.local.layout import Layout
from civicflow.routing.adapters.file_reference_data import bundled
from civicflow.routing.domain.registry import AgencyRegistry
from civicflow.shared.events import AgencySubmission


def agency_keys(layout: Layout, agency_id: str) -> list[RSAKey]:
    """The private keys the local stack holds for the agency."""
    return private_keys(layout, agency_id)


def agency_signing_key(layout: Layout, agency_id: str) -> RSAKey:
    """The private key the local stack signs the agency's decisions with (civicflow_agency.decide.signed_decision)."""
    return signing_key(layout, agency_id)


def open_record(value: bytes, layout: Layout, agency_id: str) -> dict[str, Any]:
    """A record of the agency's topic, decrypted with that agency's keys (wire.NotForThisAgency with another's)."""
    opened: dict[str, Any] = json.loads(wire.decrypt(value, agency_keys(layout, agency_id)))
    return opened


# Unit tests: these agencies have keys of their own, every other agency of the bundled registry shares one.
OWN_KEYS = ("koeln-gewerbe", "koeln-standesamt")
SHARED_KEY = "other-agencies"


@cache
def _made_key(name: str) -> RSAKey:
    return wire.new_key()


def unit_key(agency_id: str) -> RSAKey:
    """The private key of an agency of the bundled registry in unit tests."""
    return _made_key(agency_id if agency_id in OWN_KEYS else SHARED_KEY)


@cache
def _made_signing_key(name: str) -> RSAKey:
    return wire.new_signing_key()


def unit_signing_key(agency_id: str) -> RSAKey:
    """The private key an agency of the bundled registry signs its decisions with in unit tests."""
    return _made_signing_key(agency_id if agency_id in OWN_KEYS else SHARED_KEY)


def registry_json(without_keys: Iterable[str] = ()) -> str:
    """The bundled registry, each agency with the public half of its test key, except those named."""
    registry = json.loads(bundled("agencies.json"))
    left_out = set(without_keys)
    for agency in registry["agencies"]:
        if agency["agency_id"] not in left_out:
            agency["public_keys"] = [unit_key(agency["agency_id"]).as_dict(private=False)]
    return json.dumps(registry)


@cache
def keyed_registry(without_keys: tuple[str, ...] = ()) -> AgencyRegistry:
    return AgencyRegistry.from_json(registry_json(without_keys))


def open_delivery(value: bytes, agency_id: str) -> AgencySubmission:
    """A record routing published in a unit test, opened with the agency's test key."""
    return AgencySubmission.model_validate_json(wire.decrypt(value, [unit_key(agency_id)]))
