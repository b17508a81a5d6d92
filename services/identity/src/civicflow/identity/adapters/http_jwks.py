"""An identity provider's signing keys, fetched from its JWKS endpoint (RFC 7517), or the one its discovery document
names (OpenID Connect Discovery 1.0 §3), and cached."""

import asyncio
import time
from typing import Any

import httpx
import jwt

from civicflow.shared.messaging import PermanentFailure, TransientFailure

# A token naming a key we do not have makes us fetch the keys again (the provider rotated them), at most this
# many times a minute (jwks-rsa's `jwksRequestsPerMinute` default): forged tokens with random key ids cannot make
# us hammer the provider, and a rotation is seen at once unless such a flood is going on.
FETCHES_PER_MINUTE = 10
# After a failed fetch, lookups that need the provider fail at once (to be retried later) for this long, so a
# provider that is down is not asked again for every queued submission.
MIN_RETRY_SECONDS = 5.0
# Keys are fetched again after this long however well they serve: a key the provider withdrew (compromised, say)
# stops being trusted within the hour, as a cache would honour the provider's own Cache-Control.
MAX_AGE_SECONDS = 3600.0


class HttpJwks:
    def __init__(
        self, url: str | None, client: httpx.AsyncClient, *, issuer: str = "", max_age_seconds: float = MAX_AGE_SECONDS
    ) -> None:
        # Without a URL, the JWKS is where the issuer's discovery document says, looked up once.
        self._url, self._issuer, self._max_age = url, issuer.rstrip("/"), max_age_seconds
        self._client = client
        self._keys: dict[str, jwt.PyJWK] = {}
        self._fetched_at = float("-inf")
        self._failed: tuple[float, TransientFailure | PermanentFailure] | None = None
        self._allowance = _Allowance(FETCHES_PER_MINUTE)
        # Submissions are verified concurrently: one fetch answers every lookup waiting for it.
        self._fetching = asyncio.Lock()

    async def key(self, kid: str | None) -> jwt.PyJWK | None:
        if kid is None:
            return None
        if kid not in self._keys or self._stale():
            asked_at = time.monotonic()
            async with self._fetching:
                if (kid not in self._keys or self._stale()) and self._fetched_at < asked_at:  # not fetched meanwhile
                    await self._fetch_if_allowed(stale=self._stale())
        return self._keys.get(kid)

    def _stale(self) -> bool:
        return bool(self._keys) and time.monotonic() - self._fetched_at > self._max_age

    async def _fetch_if_allowed(self, stale: bool) -> None:
        # Refreshing keys that are too old spends no allowance: it happens once an hour, not per forged key id.
        failed_just_now = self._failed is not None and time.monotonic() - self._failed[0] < MIN_RETRY_SECONDS
        if not failed_just_now and (stale or self._allowance.take()):
            await self._fetch()
        elif self._failed is not None:  # no keys we may answer with: the submission is retried later
            raise type(self._failed[1])(f"not asked again so soon: {self._failed[1]}")
        # else: the keys as fetched last are current, and a key id they do not have is unknown

    async def _fetch(self) -> None:
        try:
            await self._refresh()
        except (TransientFailure, PermanentFailure) as error:
            self._failed = (time.monotonic(), error)
            raise
        self._failed = None

    async def _refresh(self) -> None:
        # Without the provider's keys nothing can be verified: a provider that is away or overloaded is a
        # passing failure (the submission is retried later), one that refuses us is not.
        self._url = self._url or await self._discovered_jwks_url()
        published = (await self._document(self._url, "JWKS")).get("keys", [])
        self._keys = dict(_signing_keys(published if isinstance(published, list) else []))
        self._fetched_at = time.monotonic()

    async def _discovered_jwks_url(self) -> str:
        document = await self._document(f"{self._issuer}/.well-known/openid-configuration", "discovery")
        jwks_uri = document.get("jwks_uri")
        # The document must be the issuer's own (OpenID Connect Discovery 1.0 §4.3).
        if str(document.get("issuer", "")).rstrip("/") != self._issuer or not isinstance(jwks_uri, str):
            raise PermanentFailure("identity provider's discovery document names another issuer or no jwks_uri")
        return jwks_uri

    async def _document(self, url: str, kind: str) -> dict[str, Any]:
        try:
            response = await self._client.get(url)
        except httpx.TransportError as error:
            raise TransientFailure(f"identity provider unreachable ({type(error).__name__})") from error
        if response.status_code >= 500 or response.status_code == 429:
            raise TransientFailure(f"identity provider answered HTTP {response.status_code}")
        if response.status_code >= 400:
            raise PermanentFailure(f"identity provider answered HTTP {response.status_code}")
        try:
            document = response.json()
        except ValueError as error:
            raise TransientFailure(f"identity provider sent no {kind} document") from error
        if not isinstance(document, dict):
            raise TransientFailure(f"identity provider sent no {kind} document")
        return document


def _signing_keys(published: list[object]) -> list[tuple[str, jwt.PyJWK]]:
    found = []
    for jwk in published:
        if isinstance(jwk, dict) and isinstance(jwk.get("kid"), str) and jwk.get("use", "sig") == "sig":
            try:
                found.append((jwk["kid"], jwt.PyJWK(jwk)))
            except (jwt.PyJWTError, ValueError, TypeError):
                continue  # a key type we cannot use; the others still verify
    return found


class _Allowance:
    """A token bucket: `per_minute` at once, then one every 60 / `per_minute` seconds."""

    def __init__(self, per_minute: int) -> None:
        self._per_minute = per_minute
        self._left = float(per_minute)
        self._counted_at = time.monotonic()

    def take(self) -> bool:
        now = time.monotonic()
        self._left = min(self._per_minute, self._left + (now - self._counted_at) * self._per_minute / 60)
        self._counted_at = now
        if self._left < 1:
            return False
        self._left -= 1
        return True
