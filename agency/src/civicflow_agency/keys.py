"""The agency's secrets from files: its private decryption keys, its signing key, the webhook secrets, the Kafka
password; and a new key pair made on the agency's own machine (`civicflow-agency keygen`)."""

import json
import os
from pathlib import Path
from typing import Any, Final

from joserfc.jwk import RSAKey

from civicflow_agency.wire import MIN_RSA_BITS, SIGNATURE, new_key, new_signing_key

# What `keygen --use` makes: a key to decrypt applications with, or one to sign decisions with.
KEY_USES: Final = {"enc": new_key, "sig": new_signing_key}


def load_private_keys(paths: list[Path]) -> list[RSAKey]:
    """Each file a private RSA JWK, or a JWK set of them; the newest first, older ones kept for records still
    encrypted to them during a rotation (the record's `kid` picks the key)."""
    keys: list[RSAKey] = []
    for path in paths:
        document = json.loads(path.read_text())
        for jwk in document.get("keys", [document]):
            keys.append(_private_key(jwk, path))
    return keys


def load_signing_key(path: Path) -> RSAKey:
    """The one private key `decide` signs with: RSA, `use` sig, PS256 if it names an algorithm. CivicFlow verifies
    only with the keys its registry lists as signing keys (wire.signing_keys), so any other key would make a
    decision that is refused on arrival; it is refused here instead, before anything is sent."""
    document = json.loads(path.read_text())
    if not isinstance(document, dict) or "keys" in document:
        raise ValueError(f"{path}: expected one private RSA JWK, not a key set")
    key = _private_key(document, path)
    if document.get("use") != "sig":
        raise ValueError(f"{path}: not a signing key (its use is {document.get('use')!r}, not 'sig')")
    if document.get("alg", SIGNATURE) != SIGNATURE:
        raise ValueError(f"{path}: a signing key for {SIGNATURE}, this one is for {document.get('alg')!r}")
    return key


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


def write_new_key(path: Path, use: str) -> RSAKey:
    """A new private key in a new file, readable by its owner only (0600 from the start, never wider); an existing
    file is never overwritten (O_EXCL): it may hold the key applications are encrypted to."""
    key = KEY_USES[use]()
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w") as file:
        file.write(json.dumps(key.as_dict(private=True)) + "\n")
    return key


def read_lines(path: Path, at_most: int) -> list[str]:
    """The non-empty lines of a secret file, e.g. the current webhook secret and, during a rotation, the previous."""
    lines = [line.strip() for line in path.read_text().splitlines() if line.strip()]
    if not 1 <= len(lines) <= at_most:
        raise ValueError(f"{path}: expected 1 to {at_most} non-empty lines, found {len(lines)}")
    return lines
