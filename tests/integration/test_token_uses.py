"""Identity's record of token uses against the real document store (FerretDB over PostgreSQL locally and in CI)."""

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import uuid4

import pytest
from pymongo.asynchronous.database import AsyncDatabase

from civicflow.identity.adapters.mongo_token_uses import MongoTokenUses
from civicflow.identity.domain.replay import TokenUse

pytestmark = pytest.mark.integration

ISSUER = "http://127.0.0.1:8090"


def use(token_id: str, issuer: str = ISSUER, keep_until: datetime | None = None) -> TokenUse:
    return TokenUse(issuer, token_id, uuid4(), keep_until or datetime.now(UTC) + timedelta(days=1))


async def test_a_token_files_the_submission_that_claimed_it_first(database: AsyncDatabase[dict[str, Any]]) -> None:
    uses = MongoTokenUses(database)
    first, second = use("jti-1"), use("jti-1")
    assert await uses.claim(first) == first.submission_id
    assert await uses.claim(first) == first.submission_id  # the same submission again: still its own
    assert await uses.claim(second) == first.submission_id
    # the same jti from another issuer is another token
    elsewhere = use("jti-1", issuer="https://id.example.org")
    assert await uses.claim(elsewhere) == elsewhere.submission_id


async def test_of_ten_concurrent_claims_of_one_token_exactly_one_wins(database: AsyncDatabase[dict[str, Any]]) -> None:
    uses = MongoTokenUses(database)
    claims = [use("jti-raced") for _ in range(10)]
    winners = await asyncio.gather(*(uses.claim(claim) for claim in claims))
    assert len(set(winners)) == 1
    assert winners[0] in {claim.submission_id for claim in claims}
    assert await database["token_uses"].count_documents({}) == 1


async def test_the_sweep_forgets_uses_kept_long_enough_and_nothing_else(
    database: AsyncDatabase[dict[str, Any]],
) -> None:
    uses = MongoTokenUses(database)
    old = use("jti-old", keep_until=datetime.now(UTC) - timedelta(minutes=1))
    kept = use("jti-kept")
    for claim in (old, kept):
        await uses.claim(claim)
    await uses.forget_expired()
    later = use("jti-kept")
    assert await uses.claim(later) == kept.submission_id
    again = use("jti-old")
    assert await uses.claim(again) == again.submission_id  # forgotten: nothing left to tell a replay by
    assert await database["token_uses"].count_documents({}) == 2
