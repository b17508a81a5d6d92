"""Forgetting on time: the marks and the applications past their retention, every hour (FerretDB has no TTL
index)."""

import asyncio

from civicflow.insights.adapters.mongo_applications import MongoApplications
from civicflow.insights.adapters.mongo_days import MongoDays

SWEEP_SECONDS = 3600.0


async def sweep(days: MongoDays, applications: MongoApplications) -> None:
    """A background job for the service's lifetime."""
    while True:
        await days.forget_marks()
        await applications.forget_old()
        await asyncio.sleep(SWEEP_SECONDS)
