"""Intake's sign-in against a provider of its own making (a real HTTP server): the `acr` asked for is the provider's
value for the level, and the ID token is read with the provider's claim names and `acr` values."""

from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import jwt
import pytest

from civicflow.intake.adapters.http_oidc import OidcProvider
from civicflow.intake.domain.sign_in import new_pending
from civicflow.local.idp import SigningKey
from civicflow.shared.identity_providers import ClaimNames, IdentityProvider
from civicflow.shared.security.pseudonyms import citizen_id
from tests.support.hostile_tokens import with_claims
from tests.support.json_server import json_server
from tests.support.samples import token

pytestmark = pytest.mark.integration

REDIRECT = "https://antrag.example/sign-in/callback"
PSEUDONYM_KEY = b"p" * 32


class Realm:
    """A provider answering discovery, JWKS and token requests; its ID tokens carry `id_token_claims`."""

    def __init__(self, key: SigningKey) -> None:
        self.key = key
        self.id_token_claims: dict[str, Any] = {}
        self.base = ""

    @property
    def issuer(self) -> str:
        return f"{self.base}/realms/civicflow"

    def answer(self, method: str, path: str) -> tuple[int, Any]:
        if method == "POST":
            return 200, {"id_token": self.id_token(), "token_type": "Bearer"}
        discovery = {
            "issuer": self.issuer,
            "authorization_endpoint": f"{self.issuer}/auth",
            "token_endpoint": f"{self.issuer}/token",
            "jwks_uri": f"{self.issuer}/certs",
        }
        return 200, discovery if "openid-configuration" in path else self.key.jwks()

    def id_token(self) -> str:
        original = token(self.key, issuer=self.issuer)
        return with_claims(original, self.key.private_key, self.key.kid, **self.id_token_claims)


@pytest.fixture
def realm(tmp_path: Path) -> Iterator[Realm]:
    running = Realm(SigningKey.load_or_create(tmp_path))
    with json_server(running.answer) as base:
        running.base = base
        yield running


def configured(realm: Realm) -> IdentityProvider:
    return IdentityProvider(
        name="keycloak",
        issuer=realm.issuer,
        audience="civicflow",
        claims=ClaimNames(birthdate="birth_date"),
        acr={"1": "low", "2": "substantial"},
    )


async def test_the_acr_asked_for_is_the_providers_value_and_the_token_is_read_its_way(realm: Realm) -> None:
    provider = OidcProvider(configured(realm), PSEUDONYM_KEY)
    pending = new_pending("99050012104000", "de", datetime.now(UTC), "keycloak")
    try:
        sent_to = urlsplit(await provider.authorization_url(pending, REDIRECT, "substantial"))
        assert parse_qs(sent_to.query)["acr_values"] == ["2"] and sent_to.path.endswith("/auth")
        realm.id_token_claims = {"nonce": pending.nonce, "acr": "2", "birthdate": None, "birth_date": "1964-08-12"}
        signed_in = await provider.sign_in("code", pending, REDIRECT)
        assert signed_in is not None and signed_in.level == "substantial"
        assert signed_in.birth_date == date(1964, 8, 12) and signed_in.given_name == "Erika"
        # the id identity computes for the same person: the key of their profile and their applications
        subject = jwt.decode(signed_in.id_token, options={"verify_signature": False})["sub"]
        assert signed_in.citizen_id == citizen_id(PSEUDONYM_KEY, realm.issuer, subject)
        # an eIDAS URI is not this provider's value: no level, no sign-in
        realm.id_token_claims |= {"acr": "http://eidas.europa.eu/LoA/substantial"}
        assert await provider.sign_in("code", pending, REDIRECT) is None
    finally:
        await provider.close()
