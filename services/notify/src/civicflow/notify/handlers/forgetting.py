"""What notify keeps of an application (its steps' notes and its messages, the address, name and links sealed) is
forgotten when the citizen erases their profile, and a while after the application was last heard of."""

import asyncio
import logging
from datetime import UTC, datetime, timedelta

from civicflow.notify.domain.notifications import NotificationStore
from civicflow.shared.events import ErasureRequested

logger = logging.getLogger(__name__)

SWEEP_INTERVAL_SECONDS = 3600.0


async def forget_citizen(event: ErasureRequested, store: NotificationStore) -> None:
    """Every application a step of which names the citizen (the verified ones: an unverified application names
    nobody). A message due for one of them later finds no record and is a dead letter, not a mail."""
    forgotten = await store.forget_citizen(event.citizen_id)
    logger.info("erasure: forgot the notes and messages of %d application(s)", forgotten)


async def forget_old(store: NotificationStore, retention: timedelta) -> None:
    """A background job for the service's lifetime: every hour, the applications last heard of longer ago than
    `retention` (FerretDB has no TTL index)."""
    while True:
        forgotten = await store.forget_before(datetime.now(UTC) - retention)
        if forgotten:
            logger.info("forgot the notes and messages of %d application(s) past their retention", forgotten)
        await asyncio.sleep(SWEEP_INTERVAL_SECONDS)
