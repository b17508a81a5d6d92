"""The timer of notify's coalescing: closes each window when it is due (coalescing.close_window). A background job
for the service's lifetime; every instance runs one, and a window two of them close at once is written once (its
notification's id is the window's)."""

import asyncio
import logging
from datetime import UTC, datetime, timedelta

from civicflow.notify.domain.notifications import NotificationStore
from civicflow.notify.domain.policy import NotificationPolicy
from civicflow.notify.handlers.coalescing import close_window
from civicflow.shared.kafka import EventPublisher
from civicflow.shared.messaging.failures import describe

logger = logging.getLogger(__name__)

# Windows closed per round, side by side.
BATCH = 100
# The longest a window opened by another instance waits past its time; an instance is woken by its own.
LONGEST_SLEEP_SECONDS = 5.0
SHORTEST_SLEEP_SECONDS = 0.02
PAUSE_AFTER_FAILURE_SECONDS = 1.0


class WindowCloser:
    def __init__(self, store: NotificationStore, publisher: EventPublisher, policy: NotificationPolicy) -> None:
        self.store, self.publisher, self.policy = store, publisher, policy
        self._woken = asyncio.Event()
        self._sleeping_until = datetime.max.replace(tzinfo=UTC)

    def opened(self, due: datetime) -> None:
        """A window was opened, due at `due`: look sooner if that is before the next look. Windows are all as long,
        so under load a new one is due after those open already, and nobody is woken."""
        if due < self._sleeping_until:
            self._woken.set()

    async def run(self) -> None:
        while True:
            # Before the round: a window opened during it (which the round may not have seen) wakes the next at once.
            self._woken.clear()
            self._sleeping_until = datetime.min.replace(tzinfo=UTC)
            try:
                sleep = await self._round()
            except Exception as error:  # noqa: BLE001 - the store or broker is away: try again shortly
                logger.warning("closing windows failed (%s)", describe(error))
                sleep = PAUSE_AFTER_FAILURE_SECONDS
            self._sleeping_until = datetime.now(UTC) + timedelta(seconds=sleep)
            try:
                async with asyncio.timeout(sleep):
                    await self._woken.wait()
            except TimeoutError:
                pass

    async def _round(self) -> float:
        """Closes the windows that are due; returns how long to sleep until the next is (one query for both)."""
        now = datetime.now(UTC)
        earliest = await self.store.earliest(BATCH)
        due = [window for window in earliest if window.due <= now]
        outcomes = await asyncio.gather(
            *(close_window(window, self.store, self.publisher, self.policy.coalesce, now) for window in due),
            return_exceptions=True,
        )
        for outcome in outcomes:
            if isinstance(outcome, BaseException):  # its window stays open and is tried again in the next round
                logger.warning("closing a window failed (%s)", describe(outcome))
        if len(due) == BATCH:
            return 0.0
        later = [window.due for window in earliest if window.due > now]
        if not later:
            return LONGEST_SLEEP_SECONDS
        wait = (min(later) - datetime.now(UTC)).total_seconds()
        return min(max(wait, SHORTEST_SLEEP_SECONDS), LONGEST_SLEEP_SECONDS)
