"""Where the fault run looks, as an agency, a citizen and an operator would: the agency topics and the dead
letters (a group-less consumer from the moment the run begins), the mailbox, and the status timelines."""

import asyncio
import email.parser
import email.policy
import json
import logging
import os
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

import httpx
from aiokafka import AIOKafkaConsumer
from civicflow_agency import wire
from joserfc.jwk import RSAKey

from civicflow.local.chaos.clock import Clock
from civicflow.local.chaos.mails import MailKey, mail_key
from civicflow.local.chaos.stream import Accepted
from civicflow.local.chaos.timeline import Timeline
from civicflow.local.tail import open_tail
from civicflow.local.topics_admin import agency_submission_topics
from civicflow.shared import topics
from civicflow.shared.settings import KafkaSettings

TIMELINE_READS_AT_ONCE = 8


class TopicWatch:
    """Every copy on the agency topics by submission id (with its event id), and the dead letters by group and
    reason, for as long as the run lasts; it keeps reading while the broker restarts."""

    def __init__(self, consumer: AIOKafkaConsumer, clock: Clock, keys: Sequence[RSAKey] = ()) -> None:
        self._consumer, self._clock, self._keys = consumer, clock, keys
        self.copies: dict[str, list[str]] = {}
        self.first_seen: dict[str, float] = {}
        self.seen_again: list[float] = []  # when each copy beyond a submission's first arrived
        self.dead_letters: Counter[str] = Counter()
        self._task: asyncio.Task[None] | None = None

    @classmethod
    async def open(cls, kafka: KafkaSettings, clock: Clock, keys: Sequence[RSAKey] = ()) -> "TopicWatch":
        """`keys`: the agencies' private keys, to read each copy's event id inside the encrypted application."""
        # The broker's restart is one of the faults; aiokafka logs every refused reconnect as an error.
        logging.getLogger("aiokafka").setLevel(logging.CRITICAL)
        agency_topics = agency_submission_topics()
        watch = cls(await open_tail(kafka, *agency_topics, topics.DEAD_LETTER), clock, keys)
        watch._task = asyncio.create_task(watch._read())
        return watch

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
        await self._consumer.stop()

    def check(self) -> None:
        """Raise what stopped the reading, if anything did: counts from a dead watch would show losses."""
        if self._task is not None and self._task.done() and not self._task.cancelled():
            self._task.result()

    async def _read(self) -> None:
        while True:
            batches = await self._consumer.getmany(timeout_ms=500)
            for records in batches.values():
                for record in records:
                    if record.topic == topics.DEAD_LETTER:
                        self.dead_letters[_dead_letter_kind(record.value)] += 1
                    elif record.key:
                        self._delivered(record.key.decode(), _event_id(record.value, self._keys))

    def _delivered(self, submission_id: str, event_id: str) -> None:
        self.copies.setdefault(submission_id, []).append(event_id)
        if submission_id in self.first_seen:
            self.seen_again.append(self._clock.now())
        self.first_seen.setdefault(submission_id, self._clock.now())


def _event_id(value: bytes | None, keys: Sequence[RSAKey]) -> str:
    """The event id inside the application (the record's kid picks the agency's key); a redelivery encrypts the
    same event again, so only the id inside tells a copy from a second delivery."""
    try:
        return str(json.loads(wire.decrypt(value or b"", keys))["event_id"])
    except (wire.NotForThisAgency, ValueError, KeyError, TypeError):
        return "(no event id)"  # still a copy; a second one would count as a double delivery


def _dead_letter_kind(value: bytes | None) -> str:
    try:
        letter = json.loads(value or b"")
        return f"{letter['consumer_group']} {letter['reason']}"
    except (ValueError, KeyError, TypeError):
        return "(unreadable)"


class Mailbox:
    """The local SMTP server's mail dir, one .eml per mail: copies by Message-ID (submission id, notification id,
    message type), read once each. A Message-ID twice is one message sent again (after a crash)."""

    def __init__(self, mail_dir: Path) -> None:
        self.mail_dir = mail_dir
        self.copies: Counter[MailKey] = Counter()
        self._read: set[str] = set()
        self._parser = email.parser.BytesHeaderParser(policy=email.policy.default)

    def scan(self) -> Counter[MailKey]:
        """Read the mails that came since the last scan; the counts so far."""
        if not self.mail_dir.exists():
            return self.copies
        with os.scandir(self.mail_dir) as entries:
            new = [entry.name for entry in entries if entry.name.endswith(".eml") and entry.name not in self._read]
        for name in sorted(new):
            message = self._parser.parsebytes((self.mail_dir / name).read_bytes())
            key = mail_key(str(message.get("Message-ID", "")))
            if key is not None:
                self.copies[key] += 1
            self._read.add(name)
        return self.copies


async def read_timelines(client: httpx.AsyncClient, applications: Sequence[Accepted]) -> dict[str, Timeline]:
    """Each application's timeline as its citizen reads it (with the status token); one that cannot be read
    now (intake down, an error) is left out."""
    limit = asyncio.Semaphore(TIMELINE_READS_AT_ONCE)

    async def read(item: Accepted) -> tuple[str, Timeline | None]:
        async with limit:
            try:
                response = await client.get(
                    f"/v1/submissions/{item.submission_id}", headers={"Authorization": f"Bearer {item.status_token}"}
                )
            except httpx.HTTPError:
                return item.submission_id, None
        return item.submission_id, Timeline.of(response.json()) if response.status_code == 200 else None

    found = await asyncio.gather(*(read(item) for item in applications))
    return {submission_id: timeline for submission_id, timeline in found if timeline is not None}
