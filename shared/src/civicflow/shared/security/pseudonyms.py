"""The pseudonymous citizen id: the same for every application of one person at one identity provider, and
telling nothing else about them. An HMAC (RFC 2104) of issuer and subject under the pseudonym key, so nobody
without the key can compute it from a known identity, nor reverse it. Identity computes it for each verified
application; intake for the citizen signed in on the page, to find their profile and their applications."""

import base64
import hashlib
import hmac


def citizen_id(key: bytes, issuer: str, subject: str) -> str:
    digest = hmac.new(key, f"{issuer}\n{subject}".encode(), hashlib.sha256).digest()
    return base64.b32encode(digest).decode().lower()[:32]  # 160 bits
