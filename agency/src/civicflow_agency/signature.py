"""Signing what the webhook handler POSTs, and checking it on the agency's side.

The scheme is Stripe's and Slack's: an HMAC-SHA256 over `<unix seconds>.<body>`, so that the signature covers the
moment of sending as well as the content, and a receiver refuses a request whose timestamp is outside its window
(a replayed request carries an old timestamp, and a new one would need the secret to sign). During a rotation of
the shared secret the sender signs with both, and the receiver accepts either: neither side has to switch at the
same moment as the other.

    CivicFlow-Timestamp: 1795000000
    CivicFlow-Signature: v1=5f0c…,v1=a91e…      (the current secret's first)

An agency's receiver (any web framework):

    from civicflow_agency.signature import verify_webhook

    if not verify_webhook(request.headers, raw_body, [current, previous], now=time.time()):
        return 401

Check the raw body as received, before parsing it: the signature is over its bytes.
"""

import hashlib
import hmac
from collections.abc import Mapping, Sequence
from typing import Final

TIMESTAMP_HEADER: Final = "CivicFlow-Timestamp"
SIGNATURE_HEADER: Final = "CivicFlow-Signature"
SCHEME: Final = "v1"
WINDOW_SECONDS: Final = 300  # Stripe's default tolerance: five minutes of clock skew and delivery time


def _digest(secret: str | bytes, timestamp: str, body: bytes) -> str:
    key = secret.encode() if isinstance(secret, str) else secret
    return hmac.new(key, timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()


def sign(body: bytes, secrets: Sequence[str | bytes], timestamp: int) -> dict[str, str]:
    """The two headers to send with `body`: one v1 signature per secret, the current (first) one first."""
    if not secrets:
        raise ValueError("signing needs at least one secret")
    signatures = ",".join(f"{SCHEME}={_digest(secret, str(timestamp), body)}" for secret in secrets)
    return {TIMESTAMP_HEADER: str(timestamp), SIGNATURE_HEADER: signatures}


def _header(headers: Mapping[str, str], name: str) -> str | None:
    wanted = name.lower()
    return next((value for key, value in headers.items() if key.lower() == wanted), None)


def verify_webhook(
    headers: Mapping[str, str],
    body: bytes,
    secrets: Sequence[str | bytes],
    now: float,
    window_seconds: int = WINDOW_SECONDS,
) -> bool:
    """Whether `body` was signed by the holder of one of `secrets` no more than `window_seconds` from `now`.

    `headers` as received (names in any case); `secrets` the current and, during a rotation, the previous one.
    Each signature is compared in constant time (hmac.compare_digest), so that the time of a refusal tells an
    attacker nothing about how much of a forged signature was right."""
    timestamp, signatures = _header(headers, TIMESTAMP_HEADER), _header(headers, SIGNATURE_HEADER)
    if timestamp is None or signatures is None or not timestamp.isdigit():
        return False
    if abs(now - int(timestamp)) > window_seconds:
        return False
    offered = [
        value
        for scheme, _, value in (part.strip().partition("=") for part in signatures.split(","))
        if scheme == SCHEME
    ]
    matched = False
    for secret in secrets:
        expected = _digest(secret, timestamp, body)
        for candidate in offered:
            matched |= hmac.compare_digest(expected, candidate)
    return matched
