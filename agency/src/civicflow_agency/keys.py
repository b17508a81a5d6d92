"""The agency's secrets from files: its private decryption keys, the webhook secrets, the Kafka password."""

import json
from pathlib import Path
from typing import Any

from joserfc.jwk import RSAKey

from civicflow_agency.wire import MIN_RSA_BITS


def load_private_keys(paths: list[Path]) -> list[RSAKey]:
    """Each file a private RSA JWK, or a JWK set of them; the newest first, older ones kept for records still
    encrypted to them during a rotation (the record's `kid` picks the key)."""
    keys: list[RSAKey] = []
    for path in paths:
        document = json.loads(path.read_text())
        for jwk in document.get("keys", [document]):
            keys.append(_private_key(jwk, path))
    return keys


def _private_key(jwk: dict[str, Any], path: Path) -> RSAKey:
    if jwk.get("kty") != "RSA" or "d" not in jwk:
        raise ValueError(f"{path}: not a private RSA key")
    key = RSAKey.import_key(jwk)
    if not key.kid:
        raise ValueError(f"{path}: the key has no kid; it must be the one registered with CivicFlow")
    bits = key.raw_value.key_size
    if bits < MIN_RSA_BITS:
        raise ValueError(f"{path}: RSA keys of at least {MIN_RSA_BITS} bits, this has {bits}")
    return key


def read_lines(path: Path, at_most: int) -> list[str]:
    """The non-empty lines of a secret file, e.g. the current webhook secret and, during a rotation, the previous."""
    lines = [line.strip() for line in path.read_text().splitlines() if line.strip()]
    if not 1 <= len(lines) <= at_most:
        raise ValueError(f"{path}: expected 1 to {at_most} non-empty lines, found {len(lines)}")
    return lines
