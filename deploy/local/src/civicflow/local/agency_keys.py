"""The agencies' keys on the local stack: a private key per agency of the bundled registry, made once and kept in
var/secrets/agencies (LocalSecrets.agency_key), and the registry routing reads, the bundled one with each agency's
public key, so that every application leaves routing encrypted to its agency (civicflow_agency.wire)."""

import json
from pathlib import Path

from civicflow_agency import wire
from joserfc.jwk import RSAKey

from civicflow.local.layout import Layout
from civicflow.routing.adapters.file_reference_data import bundled


def agency_registry_path(layout: Layout) -> Path:
    return layout.var_dir / "routing" / "agencies.json"


def private_keys(layout: Layout, agency_id: str) -> list[RSAKey]:
    """What the agency holds to decrypt its applications (made now if it has none yet)."""
    return [RSAKey.import_key(json.loads(layout.secrets.agency_key(agency_id)))]


def write_agency_registry(layout: Layout) -> Path:
    """The bundled registry, each agency with the public half of its local key; written anew on every start."""
    registry = json.loads(bundled("agencies.json"))
    for agency in registry["agencies"]:
        agency["public_keys"] = [key.as_dict(private=False) for key in private_keys(layout, agency["agency_id"])]
    path = agency_registry_path(layout)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".new")
    temporary.write_text(json.dumps(registry, ensure_ascii=False, indent=2) + "\n", "utf-8")
    temporary.replace(path)
    return path


def open_record(value: bytes, layout: Layout, agency_id: str) -> bytes:
    """A record of the agency's topic, decrypted as that agency would (wire.NotForThisAgency if it cannot)."""
    return wire.decrypt(value, private_keys(layout, agency_id))
