"""The listener's core, without Kafka: a record in, its application handed to the agency's system once, then the
offset committed.

The order is what makes "once" hold across crashes: the handler first, then the submission id recorded as
handled, then the commit. A crash before the record means the handler runs again for that record (at least once);
a crash between record and commit means the record comes back and is skipped, the handler not called again."""

import asyncio
import json
import logging
import re
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Final, Protocol

from joserfc.jwk import RSAKey

from civicflow_agency.records import Application, Record
from civicflow_agency.state import InboxState
from civicflow_agency.wire import HEADER_SUBMISSION_ID, NotForThisAgency, decrypt

log = logging.getLogger(__name__)

# A submission id names a file of the dir handler: letters, digits, dot, dash and underscore, no leading dot.
SUBMISSION_ID: Final = re.compile(r"^[A-Za-z0-9_-][A-Za-z0-9._-]{0,127}$")

Commit = Callable[[Record], Awaitable[None]]
Sleep = Callable[[float], Awaitable[None]]


class HandlerFailed(Exception):
    """The agency's system did not take the application (webhook down, disk full): tried again, never skipped.
    Its message names the failure only, never the application's content."""


class Handler(Protocol):
    async def handle(self, application: Application) -> None: ...


class Outcome(StrEnum):
    HANDLED = "handled"
    DUPLICATE = "duplicate"  # handled before; a redelivery after a crash or a rebalance
    SET_ASIDE = "set aside"  # not for this agency's keys, or not JSON


@dataclass(frozen=True)
class Backoff:
    """1 s, 2 s, 4 s … up to a minute between attempts, for as long as it takes."""

    first_seconds: float = 1.0
    max_seconds: float = 60.0

    def delay(self, attempt: int) -> float:
        return min(self.max_seconds, self.first_seconds * 2.0 ** (attempt - 1))


@dataclass
class Inbox:
    keys: Sequence[RSAKey]
    state: InboxState
    handler: Handler
    # How to wait between attempts; the Kafka listener pauses its partitions meanwhile (kafka.pausing_sleep).
    sleep: Sleep = asyncio.sleep
    backoff: Backoff = field(default_factory=Backoff)

    async def take(self, record: Record, commit: Commit) -> Outcome:
        outcome = await self._settle(record)
        await commit(record)
        return outcome

    async def _settle(self, record: Record) -> Outcome:
        headers = record.clear_headers()
        key = record.key.decode("utf-8", errors="replace") if record.key else None
        submission_id = headers.get(HEADER_SUBMISSION_ID) or key
        if submission_id is None or not SUBMISSION_ID.match(submission_id):
            return self._set_aside(record, None, "no valid submission id")
        if self.state.handled(submission_id):
            log.info("submission %s (offset %d): handled before, skipped", submission_id, record.offset)
            return Outcome.DUPLICATE
        try:
            content = json.loads(decrypt(record.value or b"", self.keys))
        except NotForThisAgency:
            return self._set_aside(record, submission_id, "not for this agency's keys")
        except ValueError:  # JSONDecodeError, UnicodeDecodeError; their messages are left out: they quote content
            return self._set_aside(record, submission_id, "not JSON")
        await self._hand_over(record, Application(submission_id, content, headers))
        self.state.mark_handled(submission_id)
        return Outcome.HANDLED

    def _set_aside(self, record: Record, submission_id: str | None, reason: str) -> Outcome:
        self.state.set_aside(record, submission_id, reason)
        log.error(
            "%s partition %d offset %d, submission %s: %s; set aside in the undecryptable list",
            record.topic,
            record.partition,
            record.offset,
            submission_id,
            reason,
        )
        return Outcome.SET_ASIDE

    async def _hand_over(self, record: Record, application: Application) -> None:
        """Until the handler succeeds: the agency's system gets every application, in order."""
        attempt = 0
        while True:
            attempt += 1
            try:
                await self.handler.handle(application)
                return
            except HandlerFailed as failure:
                delay = self.backoff.delay(attempt)
                log.warning(
                    "submission %s (offset %d): handler failed (%s), attempt %d; again in %.0f s",
                    application.submission_id,
                    record.offset,
                    failure,
                    attempt,
                    delay,
                )
                await self.sleep(delay)
