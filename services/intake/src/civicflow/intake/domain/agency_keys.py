"""What intake needs of the agency registry (the record on topics.AGENCY_REGISTRY, `{"agencies": [...]}`): each
agency's id, the key its attachments are encrypted to and the keys its access tokens are verified with. Which
agency handles what, and where, is routing's; intake reads no more than the keys.

A version is taken whole or not at all: one that is not the registry's shape, or lists a key that is no usable
public RSA key (civicflow_agency.wire.public_key, as routing checks it), is a ValueError naming the agency and the
key by their ids, never their material."""

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from civicflow_agency import wire
from joserfc.jwk import RSAKey


@dataclass(frozen=True)
class AgencyKeys:
    agency_id: str
    encryption_key: RSAKey | None  # None: nothing can be encrypted to it (it registered no encryption key)
    signing_keys: tuple[RSAKey, ...]  # several during a rotation; none: no token of it verifies


@dataclass(frozen=True)
class AgencyDirectory:
    """The agencies of one registry version, by id."""

    agencies: Mapping[str, AgencyKeys]

    def get(self, agency_id: str) -> AgencyKeys | None:
        return self.agencies.get(agency_id)


def parse_agency_keys(value: bytes) -> AgencyDirectory:
    try:
        items = json.loads(value.decode("utf-8"))["agencies"]
    except (ValueError, KeyError, TypeError) as error:  # not UTF-8, not JSON, no "agencies"
        raise ValueError('the agency registry is not JSON of the form {"agencies": [...]}') from error
    if not isinstance(items, list):
        raise ValueError('the agency registry\'s "agencies" is not a list')
    found: dict[str, AgencyKeys] = {}
    for position, item in enumerate(items):
        agency = _agency(position, item)
        if agency.agency_id in found:
            raise ValueError(f"agency {agency.agency_id}: the agency_id is used twice")
        found[agency.agency_id] = agency
    return AgencyDirectory(found)


def _agency(position: int, item: object) -> AgencyKeys:
    if not isinstance(item, dict):
        raise ValueError(f"agency number {position + 1} is not an object")
    agency_id = item.get("agency_id")
    if not isinstance(agency_id, str) or not wire.AGENCY_ID.match(agency_id):
        raise ValueError(f"agency number {position + 1}: agency_id is not an agency id")
    jwks = item.get("public_keys", [])
    if not isinstance(jwks, list) or not all(isinstance(jwk, dict) for jwk in jwks):
        raise ValueError(f"agency {agency_id}: public_keys is not a list of JSON Web Keys")
    try:
        for jwk in jwks:
            wire.public_key(jwk)
        return AgencyKeys(agency_id, _encryption_key(jwks), tuple(wire.signing_keys(jwks)))
    except ValueError as error:
        raise ValueError(f"agency {agency_id}: {error}") from None


def _encryption_key(jwks: list[dict[str, Any]]) -> RSAKey | None:
    try:
        return wire.encryption_key(jwks)
    except LookupError:
        return None
