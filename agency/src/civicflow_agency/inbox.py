"""The listener's core, without Kafka: a record in, its application (or the citizen's answer to a request for
information) handed to the agency's system once, then the offset committed.

The order is what makes "once" hold across crashes: the handler first, then the message recorded as handled, then
the commit. A crash before the record means the handler runs again for that record (at least once); a crash
between record and commit means the record comes back and is skipped, the handler not called again.

An application is recorded by its submission id, and a redelivery is skipped before decrypting it. One submission
may get several answers, so an answer is recorded by its own event id (Application.handled_id), which is inside
the encryption: an answer is decrypted before it is known to be a redelivery."""

import asyncio
import json
import logging
import re
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Final, Protocol

from joserfc.jwk import RSAKey

from civicflow_agency.records import KINDS, Application, IncompleteMessage, Record
from civicflow_agency.state import InboxState
from civicflow_agency.wire import HEADER_MESSAGE_KIND, HEADER_SUBMISSION_ID, KIND_APPLICATION, NotForThisAgency, decrypt

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
    SET_ASIDE = "set aside"  # not for this agency's keys, not JSON, a kind of message this kit does not know


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
        kind = headers.get(HEADER_MESSAGE_KIND, KIND_APPLICATION)
        if kind not in KINDS:  # from a newer CivicFlow: kept, not handed over as something it is not
            return self._set_aside(record, submission_id, f"a message of unknown kind {kind[:40]!r}")
        if kind == KIND_APPLICATION and self._handled_before(record, submission_id):
            return Outcome.DUPLICATE
        try:
            content = json.loads(decrypt(record.value or b"", self.keys))
            application = Application.opened(submission_id, content, headers, kind)
        except NotForThisAgency:
            return self._set_aside(record, submission_id, "not for this agency's keys")
        except IncompleteMessage as incomplete:
            return self._set_aside(record, submission_id, str(incomplete))
        except ValueError:  # JSONDecodeError, UnicodeDecodeError; their messages are left out: they quote content
            return self._set_aside(record, submission_id, "not JSON")
        if self._handled_before(record, application.handled_id):
            return Outcome.DUPLICATE
        await self._hand_over(record, application)
        self.state.mark_handled(application.handled_id)
        return Outcome.HANDLED

    def _handled_before(self, record: Record, handled_id: str) -> bool:
        if not self.state.handled(handled_id):
            return False
        log.info("submission %s (offset %d): handled before, skipped", handled_id, record.offset)
        return True

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
        """Until the handler succeeds: the agency's system gets every message, in order."""
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
                    application.handled_id,
                    record.offset,
                    failure,
                    attempt,
                    delay,
                )
                await self.sleep(delay)
