"""One write at a time per document, in this process.

FerretDB 1.24 makes only an insert of a new _id atomic. A filtered update, an `$inc` or a findAndModify is a read
and then a write of the document by _id in a second statement (internal/backends/postgresql/collection.go; intake's
adapters.mongo_attachments measured it): of 40 concurrent `$inc`s of one day document 4 were left, and of 8
concurrent updates filtered on a field being unset, 5 matched (tests/integration/test_insights_store.py shows both
are right with this lock). MongoDB makes each of them atomic by itself.

So insights' adapters update each document (a day, an application's record) under its lock here, which is
enough for one insights process: the deployment runs one replica (deploy/k8s/base/insights.yaml). More replicas
need MongoDB, or they lose counts on FerretDB. A lock lives while someone holds or waits for it: as many as there
are documents being written at once, not more."""

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager


class OneWriter:
    def __init__(self) -> None:
        self._locks: dict[str, tuple[asyncio.Lock, int]] = {}

    def __len__(self) -> int:
        """How many documents are being written (or waited for) now."""
        return len(self._locks)

    @asynccontextmanager
    async def of(self, key: str) -> AsyncIterator[None]:
        lock, users = self._locks.get(key, (asyncio.Lock(), 0))
        self._locks[key] = (lock, users + 1)
        try:
            async with lock:
                yield
        finally:
            lock, users = self._locks[key]
            if users == 1:
                del self._locks[key]
            else:
                self._locks[key] = (lock, users - 1)
