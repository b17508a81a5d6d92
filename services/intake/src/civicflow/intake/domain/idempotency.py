"""Idempotent submission (draft-ietf-httpapi-idempotency-key-header): the same `Idempotency-Key` with the same
body files one submission and answers every copy alike; with another body it is refused.

The first request with a key claims it for a submission id and status token it chose. The client's key itself is
never stored: the claim is found by a hash of it, and the status token (a bearer secret, of which the store
otherwise keeps only a hash) is kept encrypted under a key derived from the client's key, so only a request that
presents the key can answer with it."""

import base64
import hashlib
import json
import os
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

# The draft's key is an opaque string; printable ASCII of a sane length keeps it out of any log-injection game.
_KEY = re.compile(r"^[\x21-\x7e]{1,255}$")
NONCE_BYTES = 12
# A key answers alike for at least this long (the issue asks 24 hours; the sweep forgets it after twice that).
RETENTION_HOURS = 48


class IdempotencyKeyInvalid(ValueError):
    """The header is not a key we accept (empty, too long, not printable ASCII)."""


class IdempotencyKeyReused(ValueError):
    """The key was used before with another request body."""


@dataclass(frozen=True)
class IdempotentRequest:
    """A request's key, as the client sent it, and the hash of its body."""

    key: str
    body_hash: str


@dataclass(frozen=True)
class Claim:
    key_id: str
    body_hash: str
    submission_id: UUID
    sealed_token: str
    created_at: datetime

    def status_token(self, key: str) -> str:
        sealed = base64.urlsafe_b64decode(self.sealed_token)
        try:
            token = AESGCM(_token_key(key)).decrypt(sealed[:NONCE_BYTES], sealed[NONCE_BYTES:], self.key_id.encode())
        except InvalidTag:  # a claim found by this key's hash was sealed with it: not reached but by corruption
            raise IdempotencyKeyReused("the stored claim does not open with this key") from None
        return token.decode()


def checked_key(header: str) -> str:
    if not _KEY.match(header):
        raise IdempotencyKeyInvalid("Idempotency-Key must be 1 to 255 printable ASCII characters")
    return header


def body_hash(payload: Any) -> str:
    """The same JSON document, whatever the order of its keys or its white space, hashes alike."""
    canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def new_claim(key: str, payload_hash: str, submission_id: UUID, status_token: str, now: datetime) -> Claim:
    key_id = hashlib.sha256(b"civicflow/idempotency/id\n" + key.encode()).hexdigest()
    nonce = os.urandom(NONCE_BYTES)
    sealed = nonce + AESGCM(_token_key(key)).encrypt(nonce, status_token.encode(), key_id.encode())
    return Claim(key_id, payload_hash, submission_id, base64.urlsafe_b64encode(sealed).decode(), now)


def _token_key(key: str) -> bytes:
    return hashlib.sha256(b"civicflow/idempotency/token\n" + key.encode()).digest()
