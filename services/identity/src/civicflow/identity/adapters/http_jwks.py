"""The identity provider's signing keys, fetched from its JWKS endpoint (RFC 7517) and cached."""

import time
from typing import Any

import httpx
import jwt

# A token naming an unknown key triggers a refresh (key rotation), but at most this often, so forged
# tokens with random key ids cannot make us hammer the provider.
MIN_REFRESH_SECONDS = 30.0


class HttpJwks:
    def __init__(self, url: str, client: httpx.AsyncClient) -> None:
        self._url = url
        self._client = client
        self._keys: dict[str, Any] = {}
        self._fetched_at = float("-inf")

    async def key(self, kid: str | None) -> Any | None:
        if kid is None:
            return None
        if kid not in self._keys and time.monotonic() - self._fetched_at >= MIN_REFRESH_SECONDS:
            await self._refresh()
        return self._keys.get(kid)

    async def _refresh(self) -> None:
        # Errors propagate: without the provider's keys nothing can be verified, so the message is retried.
        response = await self._client.get(self._url)
        response.raise_for_status()
        keys = {}
        for jwk in response.json().get("keys", []):
            if isinstance(jwk.get("kid"), str) and jwk.get("use", "sig") == "sig":
                keys[jwk["kid"]] = jwt.PyJWK(jwk).key
        self._keys = keys
        self._fetched_at = time.monotonic()
