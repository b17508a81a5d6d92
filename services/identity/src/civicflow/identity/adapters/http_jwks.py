"""The identity provider's signing keys, fetched from its JWKS endpoint (RFC 7517) and cached."""

import time

import httpx
import jwt

from civicflow.shared.messaging import PermanentFailure, TransientFailure

# A token naming an unknown key triggers a refresh (key rotation), but at most this often, so forged
# tokens with random key ids cannot make us hammer the provider.
MIN_REFRESH_SECONDS = 30.0


class HttpJwks:
    def __init__(self, url: str, client: httpx.AsyncClient) -> None:
        self._url = url
        self._client = client
        self._keys: dict[str, jwt.PyJWK] = {}
        self._fetched_at = float("-inf")

    async def key(self, kid: str | None) -> jwt.PyJWK | None:
        if kid is None:
            return None
        if kid not in self._keys and time.monotonic() - self._fetched_at >= MIN_REFRESH_SECONDS:
            await self._refresh()
        return self._keys.get(kid)

    async def _refresh(self) -> None:
        # Without the provider's keys nothing can be verified: a provider that is away or overloaded is a
        # passing failure (the submission is retried later), one that refuses us is not.
        try:
            response = await self._client.get(self._url)
        except httpx.TransportError as error:
            raise TransientFailure(f"identity provider unreachable ({type(error).__name__})") from error
        if response.status_code >= 500 or response.status_code == 429:
            raise TransientFailure(f"identity provider answered HTTP {response.status_code}")
        if response.status_code >= 400:
            raise PermanentFailure(f"identity provider answered HTTP {response.status_code}")
        try:
            published = response.json().get("keys", [])
        except (ValueError, AttributeError) as error:
            raise TransientFailure("identity provider sent no JWKS document") from error
        self._keys = dict(_signing_keys(published if isinstance(published, list) else []))
        self._fetched_at = time.monotonic()


def _signing_keys(published: list[object]) -> list[tuple[str, jwt.PyJWK]]:
    found = []
    for jwk in published:
        if isinstance(jwk, dict) and isinstance(jwk.get("kid"), str) and jwk.get("use", "sig") == "sig":
            try:
                found.append((jwk["kid"], jwt.PyJWK(jwk)))
            except (jwt.PyJWTError, ValueError, TypeError):
                continue  # a key type we cannot use; the others still verify
    return found
