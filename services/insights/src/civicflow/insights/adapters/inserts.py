"""Inserting many documents by _id in one round trip, and learning which were new.

An insert of a new _id is the one write FerretDB 1.24 makes atomic, as MongoDB does: of concurrent inserts of one
_id exactly one succeeds, the others fail with a duplicate key (11000). `insert_many(ordered=False)` tries every
document and names each that failed, by its index, in the BulkWriteError's writeErrors; FerretDB reports them so
(tests/integration/test_insights_store.py). Not a bulk of updates: FerretDB's `update` command stops at its first
write error even when unordered, and answers without saying what became of the rest."""

from collections.abc import Sequence

from pymongo.asynchronous.collection import AsyncCollection
from pymongo.errors import BulkWriteError

from civicflow.shared.mongo import Document

DUPLICATE_KEY = 11000


async def insert_new(collection: AsyncCollection[Document], documents: Sequence[Document]) -> list[bool]:
    """Insert each document whose _id is not there yet; for each, whether it was inserted. Any failure but a
    duplicate key is raised."""
    if not documents:
        return []
    try:
        await collection.insert_many(documents, ordered=False)
    except BulkWriteError as error:
        failed = {failure["index"]: failure["code"] for failure in error.details.get("writeErrors", [])}
        if not failed or set(failed.values()) != {DUPLICATE_KEY}:
            raise
        return [index not in failed for index in range(len(documents))]
    return [True] * len(documents)
