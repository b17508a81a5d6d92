"""The page's sign-ins in the real document store (FerretDB over PostgreSQL): a pending sign-in taken once, a
session found by its cookie's secret with the ID token sealed at rest, ended, and swept when expired."""

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from pymongo.asynchronous.database import AsyncDatabase

from civicflow.intake.adapters.mongo_sign_ins import MongoSignIns
from civicflow.intake.domain.sign_in import PENDING_SECONDS, SignedIn, new_pending, session_id
from tests.support.sealing import sealer_with_every_key

pytestmark = pytest.mark.integration

Database = AsyncDatabase[dict[str, Any]]
ID_TOKEN = "eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJlcmlrYSJ9.c2lnbmF0dXJl"


def erika(expires_at: datetime) -> SignedIn:
    return SignedIn("Erika", "Mustermann", date(1964, 8, 12), "substantial", expires_at, ID_TOKEN, citizen_id="b" * 32)


async def test_a_pending_sign_in_is_taken_once_and_not_when_too_old(database: Database) -> None:
    sign_ins, now = MongoSignIns(database, sealer_with_every_key()), datetime.now(UTC)
    pending = new_pending("99050012104000", "de", now)
    await sign_ins.begin(pending)
    taken = await sign_ins.take(pending.state, now)
    assert taken is not None and (taken.nonce, taken.verifier, taken.service_id) == (
        pending.nonce,
        pending.verifier,
        pending.service_id,
    )
    assert await sign_ins.take(pending.state, now) is None  # a state is single use
    old = new_pending("99050012104000", "en", now - timedelta(seconds=PENDING_SECONDS + 1))
    await sign_ins.begin(old)
    assert await sign_ins.take(old.state, now) is None


async def test_a_session_is_found_by_its_secret_keeps_the_token_sealed_and_ends(database: Database) -> None:
    sign_ins, now = MongoSignIns(database, sealer_with_every_key()), datetime.now(UTC)
    await sign_ins.start("secret-" + "s" * 36, erika(now + timedelta(minutes=15)))
    found = await sign_ins.get("secret-" + "s" * 36, now)
    assert found is not None and found.id_token == ID_TOKEN and found.birth_date == date(1964, 8, 12)
    assert await sign_ins.get("another-" + "s" * 35, now) is None
    raw = await database["sessions"].find_one({"_id": session_id("secret-" + "s" * 36)})
    assert raw is not None and ID_TOKEN not in str(raw) and "secret-" not in str(raw)
    await sign_ins.end("secret-" + "s" * 36)
    assert await sign_ins.get("secret-" + "s" * 36, now) is None


async def test_expired_sessions_are_not_found_and_are_swept(database: Database) -> None:
    sign_ins, now = MongoSignIns(database, sealer_with_every_key()), datetime.now(UTC)
    await sign_ins.start("expired-" + "s" * 35, erika(now - timedelta(seconds=1)))
    await sign_ins.start("current-" + "s" * 35, erika(now + timedelta(minutes=15)))
    assert await sign_ins.get("expired-" + "s" * 35, now) is None
    await sign_ins.forget_expired(now)
    assert await database["sessions"].count_documents({}) == 1
