"""A compacted topic read whole, as the newest valid version of what it holds (the agency registry: routing routes
by it, intake lets agencies fetch their attachments by the keys it lists).

Read without a consumer group: every instance reads every version, from the beginning, and commits nothing. What a
version means is the caller's `parse` (bytes in; a ValueError for a record that is no valid version). A record that
is no valid version is logged (the error, never the content) and ignored: the version before it stays, as a broken
file never replaced a working one at start-up."""

import asyncio
import logging
import time
from collections.abc import Callable
from typing import Generic, TypeVar

from aiokafka import AIOKafkaConsumer, TopicPartition

from civicflow.shared.kafka import client_options
from civicflow.shared.settings import KafkaSettings

logger = logging.getLogger(__name__)

POLL_MILLISECONDS = 1000

T = TypeVar("T")
Parse = Callable[[bytes], T]


# A new version is rare: the broker holds an empty fetch this long instead of answering twice a second.
FOLLOW_FETCH_WAIT_MS = 5000


class LatestVersion(Generic[T]):
    """The newest valid version read so far; `name` says what it is in the log ("agency registry")."""

    def __init__(self, parse: Parse[T], name: str) -> None:
        self._parse, self._name = parse, name
        self._current: T | None = None

    @property
    def loaded(self) -> bool:
        return self._current is not None

    def current(self) -> T:
        if self._current is None:
            raise LookupError(f"no {self._name} has been read yet")
        return self._current

    def apply(self, value: bytes | None, offset: int) -> bool:
        """Takes the version at `offset` if it is valid; False (logged) if it is kept out."""
        if value is None:  # a tombstone: deleting the only version would leave nothing to go by
            logger.error("%s at offset %d: a deletion, ignored; the previous version stays", self._name, offset)
            return False
        try:
            version = self._parse(value)
        except ValueError as error:  # UnicodeDecodeError too: the message names the position, not the content
            logger.error("%s at offset %d refused (%s); the previous version stays", self._name, offset, error)
            return False
        self._current = version
        logger.info("%s at offset %d applied", self._name, offset)
        return True


def whole_topic_consumer(kafka: KafkaSettings, max_record_bytes: int) -> AIOKafkaConsumer:
    """Group-less (no group_id, nothing committed); fetches as large as the topic's largest record."""
    return AIOKafkaConsumer(
        **client_options(kafka),
        enable_auto_commit=False,
        auto_offset_reset="earliest",
        max_partition_fetch_bytes=max_record_bytes,
        fetch_max_wait_ms=FOLLOW_FETCH_WAIT_MS,
    )


async def assign_all(consumer: AIOKafkaConsumer, topic: str, timeout_seconds: float = 30.0) -> list[TopicPartition]:
    """Every partition of the topic. Subscribed without a group, aiokafka assigns them all to this one consumer (and
    none is committed); a topic that does not appear is an error (the set-up makes it)."""
    consumer.subscribe([topic])
    deadline = time.monotonic() + timeout_seconds
    while not consumer.assignment():
        if time.monotonic() > deadline:
            raise LookupError(f"the topic {topic} does not exist")
        await asyncio.sleep(0.1)
    return sorted(consumer.assignment())


async def reached(consumer: AIOKafkaConsumer, ends: dict[TopicPartition, int]) -> bool:
    positions = [await consumer.position(partition) for partition in ends]
    return all(position >= end for position, end in zip(positions, ends.values(), strict=True))


class FollowedTopic(Generic[T]):
    """`follow` runs for the service's lifetime (a background job); `loaded` waits until the versions on the topic
    when it started have been read and one of them was valid (a start-up step may wait for it); `current` is the
    newest valid version, a LookupError before there is one. `while_waiting` tells the log what the service does
    meanwhile."""

    def __init__(
        self,
        kafka: KafkaSettings,
        topic: str,
        parse: Parse[T],
        *,
        name: str,
        max_record_bytes: int,
        while_waiting: str,
    ) -> None:
        self._kafka, self._topic, self._max_record_bytes = kafka, topic, max_record_bytes
        self._name, self._while_waiting = name, while_waiting
        self._latest = LatestVersion(parse, name)
        self._loaded = asyncio.Event()
        # Where to go on after a restart of `follow`: reading from the beginning again would bring back, for a
        # moment, versions older than the current one (until the topic is compacted, it holds them all).
        self._next: dict[TopicPartition, int] = {}
        self._told_waiting = False

    def current(self) -> T:
        return self._latest.current()

    async def loaded(self) -> None:
        await self._loaded.wait()

    async def follow(self) -> None:
        consumer = whole_topic_consumer(self._kafka, self._max_record_bytes)
        await consumer.start()
        try:
            partitions = await assign_all(consumer, self._topic)
            ends = await consumer.end_offsets(partitions)
            for partition in partitions:
                if partition in self._next:
                    consumer.seek(partition, self._next[partition])
                else:
                    await consumer.seek_to_beginning(partition)
            while True:
                for partition, records in (await consumer.getmany(timeout_ms=POLL_MILLISECONDS)).items():
                    for record in records:
                        self._latest.apply(record.value, record.offset)
                        self._next[partition] = record.offset + 1
                if not self._loaded.is_set() and await reached(consumer, ends):
                    self._read_to_the_end()
        finally:
            await consumer.stop()

    def _read_to_the_end(self) -> None:
        if self._latest.loaded:
            self._loaded.set()
        elif not self._told_waiting:
            self._told_waiting = True
            logger.warning("no valid %s on %s yet: %s", self._name, self._topic, self._while_waiting)


async def read_latest(
    kafka: KafkaSettings, topic: str, parse: Parse[T], *, name: str, max_record_bytes: int
) -> T | None:
    """The newest valid version on the topic now (None: there is none), read once: for a tool."""
    latest = LatestVersion(parse, name)
    consumer = whole_topic_consumer(kafka, max_record_bytes)
    await consumer.start()
    try:
        partitions = await assign_all(consumer, topic)
        ends = await consumer.end_offsets(partitions)
        await consumer.seek_to_beginning(*partitions)
        while not await reached(consumer, ends):
            for records in (await consumer.getmany(timeout_ms=POLL_MILLISECONDS)).values():
                for record in records:
                    latest.apply(record.value, record.offset)
        return latest.current() if latest.loaded else None
    finally:
        await consumer.stop()
