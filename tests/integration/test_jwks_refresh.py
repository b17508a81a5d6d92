"""How often the JWKS adapter asks the identity provider, against a real HTTP server that counts the requests; the
JWKS found through discovery; keys no older than their maximum age."""

import asyncio
from collections.abc import Iterator
from http import HTTPStatus
from pathlib import Path
from typing import Any

import httpx
import pytest

from civicflow.identity.adapters.http_jwks import FETCHES_PER_MINUTE, HttpJwks
from civicflow.local.idp import SigningKey
from civicflow.shared.messaging import PermanentFailure, TransientFailure
from tests.support.json_server import json_server

pytestmark = pytest.mark.integration


class Provider:
    """A JWKS endpoint (and its discovery document) answering `status` and counting how often it was asked."""

    def __init__(self, keys: dict[str, Any]) -> None:
        self.keys, self.status, self.requests = keys, HTTPStatus.OK, 0
        self.issuer = ""

    @property
    def url(self) -> str:
        return f"{self.issuer}/jwks.json"

    def answer(self, method: str, path: str) -> tuple[int, Any]:
        self.requests += 1
        discovery = {"issuer": self.issuer, "jwks_uri": self.url}
        return self.status, discovery if "openid-configuration" in path else self.keys


@pytest.fixture
def provider(tmp_path: Path) -> Iterator[Provider]:
    running = Provider(SigningKey.load_or_create(tmp_path).jwks())
    with json_server(running.answer) as base:
        running.issuer = base
        yield running


async def test_lookups_of_unknown_keys_ask_the_provider_a_few_times_a_minute_at_most(provider: Provider) -> None:
    known = provider.keys["keys"][0]["kid"]
    async with httpx.AsyncClient() as client:
        keys = HttpJwks(provider.url, client)
        # many submissions at once, each naming a key we have not fetched: one request answers them all
        found = await asyncio.gather(*(keys.key(known) for _ in range(20)))
        assert all(key is not None for key in found) and provider.requests == 1
        # a flood of forged tokens naming random key ids: a few requests, not one each
        assert await asyncio.gather(*(keys.key(f"random-{n}") for n in range(50))) == [None] * 50
        assert provider.requests == 2
        for n in range(50):
            assert await keys.key(f"one-after-another-{n}") is None
        assert await keys.key(known) is not None
    assert provider.requests <= FETCHES_PER_MINUTE + 1


async def test_a_key_the_provider_rotated_in_is_found_at_once(provider: Provider, tmp_path: Path) -> None:
    old = provider.keys["keys"][0]
    async with httpx.AsyncClient() as client:
        keys = HttpJwks(provider.url, client)
        assert await keys.key(old["kid"]) is not None
        new = SigningKey.load_or_create(tmp_path / "rotated").jwks()["keys"][0]
        provider.keys = {"keys": [new, old]}
        assert await keys.key(new["kid"]) is not None
        assert await keys.key(old["kid"]) is not None  # both during the overlap
    assert provider.requests == 2


async def test_a_provider_that_just_failed_is_not_asked_again_at_once(provider: Provider) -> None:
    provider.status = HTTPStatus.SERVICE_UNAVAILABLE
    async with httpx.AsyncClient() as client:
        keys = HttpJwks(provider.url, client)
        with pytest.raises(TransientFailure, match="HTTP 503"):
            await keys.key("any")
        for _ in range(10):  # the queued submissions behind it: retried later, without a request each
            with pytest.raises(TransientFailure, match="not asked again so soon"):
                await keys.key("any")
    assert provider.requests == 1


async def test_without_a_jwks_url_the_keys_are_where_the_discovery_document_says(provider: Provider) -> None:
    known = provider.keys["keys"][0]["kid"]
    async with httpx.AsyncClient() as client:
        keys = HttpJwks(None, client, issuer=provider.issuer)
        assert await keys.key(known) is not None
        assert await keys.key("rotated-in") is None  # the discovery document is read once, the JWKS again
        with pytest.raises(PermanentFailure, match="another issuer"):
            await HttpJwks(None, client, issuer=f"{provider.issuer}/realms/other").key(known)
    assert provider.requests == 4


async def test_a_key_the_provider_withdrew_is_not_trusted_past_the_maximum_age(
    provider: Provider, tmp_path: Path
) -> None:
    withdrawn = provider.keys["keys"][0]
    async with httpx.AsyncClient() as client:
        young, old = HttpJwks(provider.url, client), HttpJwks(provider.url, client, max_age_seconds=0.0)
        assert await young.key(withdrawn["kid"]) is not None and await old.key(withdrawn["kid"]) is not None
        provider.keys = {"keys": [SigningKey.load_or_create(tmp_path / "new").jwks()["keys"][0]]}
        assert await young.key(withdrawn["kid"]) is not None  # within the hour: the keys as fetched
        assert await old.key(withdrawn["kid"]) is None  # past their age: fetched again, and it is gone
