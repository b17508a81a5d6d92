"""MongoDB factory and the one write pattern several services share.

Code uses only what MongoDB and FerretDB share: no transactions, change streams, TTL indexes or $lookup; and
it looks documents up by equality only (_id or an indexed field), since FerretDB answers `$in`, ranges and
sorts by scanning the whole collection (tests/integration/test_store_patterns.py)."""

from typing import Any

from pymongo import AsyncMongoClient
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.errors import BulkWriteError

from civicflow.shared.settings import MongoSettings

Document = dict[str, Any]
DUPLICATE_KEY = 11000


def make_mongo_client(settings: MongoSettings) -> AsyncMongoClient[Document]:
    return AsyncMongoClient(
        settings.uri.get_secret_value(),
        tz_aware=True,
        serverSelectionTimeoutMS=5000,
        uuidRepresentation="standard",
    )


async def store_up(client: AsyncMongoClient[Document]) -> bool:
    """Whether the store answers now (FerretDB answers even a ping with an error while its PostgreSQL is down)."""
    try:
        await client.admin.command("ping")
    except Exception:  # noqa: BLE001 - any failure means "not now"; the probe reports it, it does not raise
        return False
    return True


async def insert_new(collection: AsyncCollection[Document], documents: list[Document]) -> list[int]:
    """Insert what is new, in one round trip; returns the positions of those whose _id was there already."""
    try:
        await collection.insert_many(documents, ordered=False)
    except BulkWriteError as error:
        problems = error.details.get("writeErrors") or [{}]
        if any(problem.get("code") != DUPLICATE_KEY for problem in problems):
            raise
        # FerretDB names a duplicate only by its index (no keyValue), which MongoDB gives as well.
        return sorted(problem["index"] for problem in problems)
    return []
