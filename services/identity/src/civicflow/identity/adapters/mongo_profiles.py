"""Once-only profiles in identity's own database: "profiles" {_id: citizen id, the profile sealed to the citizen
(events.personal.PROFILE), saved_at} and "erasures" {_id: citizen id, at: the latest erasure}.

A version is kept unless a newer one is (the time it was given: the submission's, or the contact change's), and
unless the citizen erased their profile at or after that time: a consent in a submission filed before the erasure
must not bring the profile back, a later one does. Every write may come twice (at-least-once delivery) and writes
the same. Every lookup is by _id.

FerretDB has no transactions, and a filtered update is a read and then a write by _id, so two writes of one
document at once can lose one (observed with $max). What must never be lost is settled by order instead: the
erasure is recorded before the profile is deleted, and a save looks for an erasure again after it wrote, deleting
its own version if one came meanwhile; whichever comes second sees the other. Two versions of one citizen written
at the same moment (two submissions filed together) may leave the older kept, and one citizen's erasures are
ordered by Kafka (keyed by the citizen id), not by the store.
"""

from datetime import datetime
from typing import Any

from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from civicflow.shared.events import Profile, personal
from civicflow.shared.events.personal import of_citizen
from civicflow.shared.mongo import Document
from civicflow.shared.security.sealing import Sealed, Sealer


class MongoProfiles:
    def __init__(self, database: AsyncDatabase[Document], sealer: Sealer) -> None:
        self._profiles = database["profiles"]
        self._erasures = database["erasures"]
        self._sealer = sealer

    async def save(self, citizen_id: str, profile: Profile, at: datetime) -> bool:
        """Keep this version, given at `at`; whether it is the one kept now (False: erased since, or newer kept)."""
        at = stored_time(at)
        if await self._erased_since(citizen_id, at):
            return False
        sealed = self._sealer.seal(personal.PROFILE, profile, of_citizen(citizen_id))
        kept = await self._put(citizen_id, {"profile": sealed.model_dump(mode="json"), "saved_at": at}, at)
        if kept and await self._erased_since(citizen_id, at):  # erased while this was written
            await self._profiles.delete_one({"_id": citizen_id, "saved_at": at})
            return False
        return kept

    async def get(self, citizen_id: str) -> Profile | None:
        found = await self._profiles.find_one({"_id": citizen_id}, {"profile": 1})
        if found is None:
            return None
        return self._sealer.open(personal.PROFILE, Sealed.model_validate(found["profile"]), of_citizen(citizen_id))

    async def erase(self, citizen_id: str, at: datetime) -> None:
        """Forget the profile as it was at `at`; a version given later (a new consent) stays."""
        at = stored_time(at)
        await self._record_erasure(citizen_id, at)
        await self._profiles.delete_one({"_id": citizen_id, "saved_at": {"$lte": at}})

    async def _put(self, citizen_id: str, document: dict[str, Any], at: datetime) -> bool:
        newer_not_kept = {"_id": citizen_id, "saved_at": {"$lte": at}}
        if (await self._profiles.update_one(newer_not_kept, {"$set": document})).matched_count:
            return True
        try:
            await self._profiles.insert_one({"_id": citizen_id, **document})
        except DuplicateKeyError:  # a version is kept: a newer one, or one inserted meanwhile
            return bool((await self._profiles.update_one(newer_not_kept, {"$set": document})).matched_count)
        return True

    async def _erased_since(self, citizen_id: str, at: datetime) -> bool:
        found = await self._erasures.find_one({"_id": citizen_id})
        return found is not None and found["at"] >= at

    async def _record_erasure(self, citizen_id: str, at: datetime) -> None:
        # The latest erasure is the one that counts. An upsert is a read and then an insert on FerretDB, so two at
        # once can both find nothing: the second insert is a duplicate key, and is done as an update.
        try:
            await self._erasures.update_one({"_id": citizen_id}, {"$max": {"at": at}}, upsert=True)
        except DuplicateKeyError:
            await self._erasures.update_one({"_id": citizen_id}, {"$max": {"at": at}})


def stored_time(at: datetime) -> datetime:
    """`at` as the store keeps it: BSON dates hold milliseconds, so times are compared at that precision."""
    return at.replace(microsecond=at.microsecond // 1000 * 1000)
