"""Token uses in identity's own database: one document per (issuer, jti), claimed by inserting it.

An insert of a new `_id` is the one write FerretDB makes atomically (it has no transactions, and a filtered
update is a read and a write): of any number of concurrent claims of one token, exactly one inserts, and the
others find its document. FerretDB has no TTL index either, so a sweep deletes the expired uses.
"""

import asyncio
import hashlib
import json
from datetime import UTC, datetime
from uuid import UUID

from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from civicflow.identity.domain.replay import TokenUse
from civicflow.shared.mongo import Document

SWEEP_INTERVAL_SECONDS = 3600.0


class MongoTokenUses:
    def __init__(self, database: AsyncDatabase[Document]) -> None:
        self._uses = database["token_uses"]

    async def claim(self, use: TokenUse) -> UUID:
        document = {
            "_id": _key(use.issuer, use.token_id),
            "submission_id": str(use.submission_id),
            "keep_until": use.keep_until,
        }
        try:
            await self._uses.insert_one(document)
        except DuplicateKeyError:
            found = await self._uses.find_one({"_id": document["_id"]}, {"submission_id": 1})
            if found is None:  # swept between the two calls: the token is free again
                return await self.claim(use)
            return UUID(found["submission_id"])
        return use.submission_id

    async def sweep(self) -> None:
        """A background job for the service's lifetime: forget the uses of tokens long expired, every hour (the
        range query scans the collection on FerretDB, once an hour)."""
        await self._uses.create_index("keep_until")
        while True:
            await self.forget_expired()
            await asyncio.sleep(SWEEP_INTERVAL_SECONDS)

    async def forget_expired(self) -> None:
        await self._uses.delete_many({"keep_until": {"$lt": datetime.now(UTC)}})


def _key(issuer: str, token_id: str) -> str:
    # A fixed-length key whatever the provider puts in `jti`, and no two (issuer, jti) pairs alike.
    return hashlib.sha256(json.dumps([issuer, token_id]).encode()).hexdigest()
