"""The identity provider, as an OpenID Connect relying party sees it: its discovery document, the authorization
URL (code flow, PKCE S256, nonce, the level asked as `acr_values`), the code exchanged at its token endpoint, and
the ID token verified against its JWKS (OpenID Connect Core 1.0 §3.1.3.7): signature with an allowed algorithm,
issuer, audience, expiry and nonce. What is allowed, which claims hold the names and which `acr` values the levels
are come from the provider's configuration (civicflow.shared.identity_providers)."""

import time
from datetime import UTC, date, datetime
from typing import Any
from urllib.parse import urlencode

import httpx
import jwt

from civicflow.intake.domain.sign_in import PendingSignIn, SignedIn
from civicflow.shared.events.identity import LevelOfAssurance
from civicflow.shared.identity_providers import IdentityProvider
from civicflow.shared.security.pseudonyms import citizen_id

TIMEOUT_SECONDS = 10.0
# An unknown `kid` fetches the JWKS again, at most this often (a stream of forged kids costs the provider nothing).
JWKS_REFRESH_SECONDS = 30.0
LEEWAY_SECONDS = 30


class ProviderUnavailable(Exception):
    """The provider could not be reached or answered nonsense: the citizen may try again later."""


class OidcProvider:
    def __init__(self, config: IdentityProvider, pseudonym_key: bytes) -> None:
        self.config, self._pseudonym_key = config, pseudonym_key
        self.issuer, self.client_id = config.issuer.rstrip("/"), config.audience
        self._client = httpx.AsyncClient(timeout=TIMEOUT_SECONDS)
        self._discovery: dict[str, Any] | None = None
        self._keys: dict[str, jwt.PyJWK] = {}
        self._keys_fetched = 0.0

    async def authorization_url(self, pending: PendingSignIn, redirect_uri: str, level: LevelOfAssurance) -> str:
        acr = self.config.acr_for(level)
        if acr is None:
            raise ProviderUnavailable(f"the provider proves no level from {level} up")
        query = {
            "response_type": "code",
            "client_id": self.client_id,
            "redirect_uri": redirect_uri,
            "scope": "openid profile",
            "state": pending.state,
            "nonce": pending.nonce,
            "code_challenge": pending.challenge,
            "code_challenge_method": "S256",
            "acr_values": acr,
        }
        return f"{(await self._document())['authorization_endpoint']}?{urlencode(query)}"

    async def sign_in(self, code: str, pending: PendingSignIn, redirect_uri: str) -> SignedIn | None:
        """The citizen signed in, or None when the provider's answer does not hold up."""
        form = {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": redirect_uri,
            "client_id": self.client_id,
            "code_verifier": pending.verifier,
        }
        answer = await self._call("POST", (await self._document())["token_endpoint"], data=form)
        if answer.status_code != 200:
            return None
        id_token = answer.json().get("id_token")
        return await self._verified(id_token, pending.nonce) if isinstance(id_token, str) else None

    async def _verified(self, id_token: str, nonce: str) -> SignedIn | None:
        try:
            key = await self._key(jwt.get_unverified_header(id_token).get("kid"))
            if key is None or key.algorithm_name not in self.config.algorithms:
                return None
            claims = jwt.decode(
                id_token,
                key.key,
                algorithms=[key.algorithm_name],
                audience=self.client_id,
                issuer=self.issuer,
                leeway=LEEWAY_SECONDS,
                options={"require": ["exp", "iat", "iss", "aud", "sub", "nonce"]},
            )
            level, names = self.config.level_of(claims.get("acr")), self.config.claims
            if claims["nonce"] != nonce or level is None:
                return None
            return SignedIn(
                given_name=str(claims[names.given_name]),
                family_name=str(claims[names.family_name]),
                birth_date=date.fromisoformat(str(claims[names.birthdate])),
                level=level,
                expires_at=datetime.fromtimestamp(float(claims["exp"]), UTC),
                id_token=id_token,
                citizen_id=citizen_id(self._pseudonym_key, str(claims["iss"]), str(claims["sub"])),
            )
        except (jwt.InvalidTokenError, KeyError, ValueError, TypeError):
            return None

    async def _key(self, kid: object) -> jwt.PyJWK | None:
        if not isinstance(kid, str):
            return None
        if kid not in self._keys and time.monotonic() - self._keys_fetched > JWKS_REFRESH_SECONDS:
            answer = await self._call("GET", self.config.jwks_url or (await self._document())["jwks_uri"])
            self._keys_fetched = time.monotonic()
            self._keys = {key.key_id: key for key in jwt.PyJWKSet.from_dict(answer.json()).keys if key.key_id}
        return self._keys.get(kid)

    async def _document(self) -> dict[str, Any]:
        if self._discovery is None:
            answer = await self._call("GET", f"{self.issuer}/.well-known/openid-configuration")
            document = answer.json()
            if document.get("issuer") != self.issuer:  # OpenID Connect Discovery §4.3
                raise ProviderUnavailable("the discovery document names another issuer")
            self._discovery = document
        return self._discovery

    async def _call(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        try:
            return await self._client.request(method, url, **kwargs)
        except httpx.HTTPError as error:
            raise ProviderUnavailable(type(error).__name__) from error

    async def close(self) -> None:
        await self._client.aclose()
