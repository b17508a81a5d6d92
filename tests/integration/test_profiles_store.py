"""Identity's once-only profiles in the real document store: FerretDB 1.24 over PostgreSQL (or the MongoDB
that MONGODB_URI names). The newest version is kept, sealed at rest; an erasure is not undone by
a consent given before it, but by one given after; every write may come twice, or at once with another."""

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from pymongo.asynchronous.database import AsyncDatabase

from civicflow.identity.adapters.mongo_profiles import MongoProfiles
from civicflow.shared.events import Profile
from tests.support.profiles import erika_profile
from tests.support.sealing import sealer_with_every_key

pytestmark = pytest.mark.integration

Database = AsyncDatabase[dict[str, Any]]
T0 = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)


def citizen(number: int = 0) -> str:
    return f"{number:032d}".translate(str.maketrans("0123456789", "abcdefghij"))


def erikas(given_at: datetime, email: str = "erika@example.org") -> Profile:
    """Erika's profile as given at `given_at`, in an application."""
    profile = erika_profile(email)
    return profile.model_copy(
        update={
            "verified": profile.verified.model_copy(update={"verified_at": given_at}),
            "address_given_at": given_at,
            "contact_given_in": "application",
            "contact_given_at": given_at,
        }
    )


async def test_a_profile_is_kept_sealed_and_saved_again_alike(database: Database) -> None:
    profiles, someone = MongoProfiles(database, sealer_with_every_key()), citizen()
    assert await profiles.get(someone) is None
    assert await profiles.save(someone, erikas(T0), T0)
    assert await profiles.save(someone, erikas(T0), T0)  # redelivered: the same version, kept again
    assert await profiles.get(someone) == erikas(T0)
    raw = await database["profiles"].find_one({"_id": someone})
    assert raw is not None and raw["saved_at"] == T0
    assert "Erika" not in str(raw) and "Köln" not in str(raw) and "erika@" not in str(raw)
    assert await database["profiles"].count_documents({}) == 1


async def test_the_newest_version_is_kept_whatever_order_they_come_in(database: Database) -> None:
    profiles, someone = MongoProfiles(database, sealer_with_every_key()), citizen()
    later = T0 + timedelta(minutes=5)
    assert await profiles.save(someone, erikas(later, "new@example.org"), later)
    assert not await profiles.save(someone, erikas(T0, "old@example.org"), T0)
    found = await profiles.get(someone)
    assert found is not None and found.contact.email == "new@example.org"
    latest = later + timedelta(minutes=5)
    assert await profiles.save(someone, erikas(latest, "newest@example.org"), latest)
    found = await profiles.get(someone)
    assert found is not None and found.contact.email == "newest@example.org"


async def test_an_erasure_is_undone_only_by_a_consent_given_after_it(database: Database) -> None:
    profiles, someone = MongoProfiles(database, sealer_with_every_key()), citizen()
    erased_at = T0 + timedelta(minutes=1)
    await profiles.save(someone, erikas(T0), T0)
    await profiles.erase(someone, erased_at)
    await profiles.erase(someone, erased_at)  # redelivered
    assert await profiles.get(someone) is None
    assert not await profiles.save(someone, erikas(T0), T0)  # the consent before it, handled late
    assert not await profiles.save(someone, erikas(erased_at), erased_at)
    assert await database["profiles"].count_documents({}) == 0
    after = erased_at + timedelta(seconds=1)
    assert await profiles.save(someone, erikas(after), after)
    # an older erasure, handled late, neither moves the erasure back nor erases the newer consent
    await profiles.erase(someone, T0)
    assert await profiles.get(someone) == erikas(after)
    assert await database["erasures"].find_one({"_id": someone}) == {"_id": someone, "at": erased_at}


async def test_times_are_compared_as_the_store_keeps_them(database: Database) -> None:
    # BSON dates hold milliseconds: a consent in the erasure's millisecond counts as given at the erasure.
    profiles, someone = MongoProfiles(database, sealer_with_every_key()), citizen()
    erased_at = T0.replace(microsecond=123_999)
    await profiles.erase(someone, erased_at)
    assert not await profiles.save(someone, erikas(T0), T0.replace(microsecond=123_500))
    assert await profiles.save(someone, erikas(T0), T0.replace(microsecond=124_000))


async def test_the_same_first_version_saved_at_once_is_kept_once(database: Database) -> None:
    profiles, someone = MongoProfiles(database, sealer_with_every_key()), citizen()
    kept = await asyncio.gather(*(profiles.save(someone, erikas(T0), T0) for _ in range(10)))
    assert all(kept)
    assert await database["profiles"].count_documents({}) == 1


async def test_the_latest_erasure_is_kept_whatever_order_they_come_in(database: Database) -> None:
    # One after the other, as one citizen's erasures come (keyed by the citizen id, one lane): FerretDB's $max is a
    # read and then a write, so erasures of one citizen at once could lose the later time.
    profiles, someone = MongoProfiles(database, sealer_with_every_key()), citizen()
    times = [T0 + timedelta(seconds=second) for second in (3, 9, 1, 7)]
    for at in times:
        await profiles.erase(someone, at)
    assert await database["erasures"].find_one({"_id": someone}) == {"_id": someone, "at": max(times)}


async def test_an_erasure_racing_a_save_of_an_older_consent_always_wins(database: Database) -> None:
    profiles = MongoProfiles(database, sealer_with_every_key())
    someone = [citizen(number) for number in range(20)]
    await asyncio.gather(
        *(profiles.save(who, erikas(T0), T0) for who in someone),
        *(profiles.erase(who, T0 + timedelta(seconds=1)) for who in someone),
    )
    assert [await profiles.get(who) for who in someone] == [None] * len(someone)
    assert await database["profiles"].count_documents({}) == 0
