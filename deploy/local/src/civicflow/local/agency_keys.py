"""The agencies' keys on the local stack: per agency of the bundled registry a private key to decrypt with and one
to sign decisions with, made once and kept in var/secrets/agencies (LocalSecrets.agency_key, agency_signing_key),
and the registry routing reads, the bundled one with each agency's public keys, so that every application leaves
routing encrypted to its agency and every decision is verified against it (civicflow_agency.wire)."""

import json
from pathlib import Path
from typing import Any, Final

from civicflow_agency import wire
from joserfc.jwk import RSAKey

from civicflow.local.layout import Layout
from civicflow.routing.adapters.file_reference_data import bundled


def agency_registry_path(layout: Layout) -> Path:
    return layout.var_dir / "routing" / "agencies.json"


def private_keys(layout: Layout, agency_id: str) -> list[RSAKey]:
    """What the agency holds to decrypt its applications (made now if it has none yet)."""
    return [RSAKey.import_key(json.loads(layout.secrets.agency_key(agency_id)))]


def signing_key(layout: Layout, agency_id: str) -> RSAKey:
    """What the agency signs its decisions with (made now if it has none yet), as `civicflow-agency decide` would."""
    return RSAKey.import_key(json.loads(layout.secrets.agency_signing_key(agency_id)))


# RFC 7517, 4, and RFC 7518, 6.3.1: the members of an RSA key that may be published.
_PUBLIC_MEMBERS: Final = ("n", "e", "use", "alg", "kty", "kid")


def public_keys(layout: Layout, agency_id: str) -> list[dict[str, Any]]:
    """The agency's keys as the registry lists them: the encryption key first (routing encrypts to the first one
    meant for it, wire.encryption_key), then the signing key."""
    return [
        _public_half(layout.secrets.agency_key(agency_id)),
        _public_half(layout.secrets.agency_signing_key(agency_id)),
    ]


def _public_half(private_jwk: str) -> dict[str, Any]:
    """The public members of a private JWK as kept on disk, read without importing the private key: cryptography
    checks a private RSA key on import (about 0.3 s for 4096 bits), twice per agency on every start."""
    jwk = json.loads(private_jwk)
    public = {name: jwk[name] for name in _PUBLIC_MEMBERS if name in jwk}
    wire.public_key(public)  # what a registry takes: RSA, a kid, at least 4096 bits
    return public


def local_registry_document(layout: Layout) -> dict[str, Any]:
    """The bundled registry, each agency with the public halves of its local keys."""
    registry: dict[str, Any] = json.loads(bundled("agencies.json"))
    for agency in registry["agencies"]:
        agency["public_keys"] = public_keys(layout, agency["agency_id"])
    return registry


def write_agency_registry(layout: Layout) -> Path:
    """local_registry_document, as the file routing reads; written anew on every start."""
    path = agency_registry_path(layout)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".new")
    temporary.write_text(json.dumps(local_registry_document(layout), ensure_ascii=False, indent=2) + "\n", "utf-8")
    temporary.replace(path)
    return path


def open_record(value: bytes, layout: Layout, agency_id: str) -> bytes:
    """A record of the agency's topic, decrypted as that agency would (wire.NotForThisAgency if it cannot)."""
    return wire.decrypt(value, private_keys(layout, agency_id))
