"""The agency registry as it stands on its compacted topic (topics.AGENCY_REGISTRY), so that a version published
with `civicflow agencies publish` routes the next application without a restart.

Read without a consumer group: every routing instance reads every version, from the beginning, and commits
nothing. A record that is no valid registry is logged (the error, never the content) and ignored: the version
before it stays, as a broken file never replaced a working one at start-up."""

import asyncio
import logging
import time

from aiokafka import AIOKafkaConsumer, TopicPartition

from civicflow.routing.domain.registry import AgencyRegistry, ReferenceDataError
from civicflow.shared import topics
from civicflow.shared.kafka import client_options
from civicflow.shared.settings import KafkaSettings

logger = logging.getLogger(__name__)

POLL_MILLISECONDS = 1000


class LatestRegistry:
    """The newest valid version read so far."""

    def __init__(self) -> None:
        self._current: AgencyRegistry | None = None

    @property
    def loaded(self) -> bool:
        return self._current is not None

    def current(self) -> AgencyRegistry:
        if self._current is None:
            raise LookupError("no agency registry has been read yet")
        return self._current

    def apply(self, value: bytes | None, offset: int) -> bool:
        """Takes the version at `offset` if it is a valid registry; False (logged) if it is kept out."""
        if value is None:  # a tombstone: deleting the registry would leave every application unroutable
            logger.error("agency registry at offset %d: a deletion, ignored; the previous version stays", offset)
            return False
        try:
            registry = AgencyRegistry.from_json(value.decode("utf-8"))
        except (ReferenceDataError, UnicodeDecodeError) as error:
            logger.error("agency registry at offset %d refused (%s); the previous version stays", offset, error)
            return False
        self._current = registry
        logger.info("agency registry at offset %d applied: %d agencies", offset, len(registry.agencies()))
        return True


def registry_consumer(kafka: KafkaSettings) -> AIOKafkaConsumer:
    """Group-less (no group_id, nothing committed); fetches as large as the topic's largest record."""
    return AIOKafkaConsumer(
        **client_options(kafka),
        enable_auto_commit=False,
        auto_offset_reset="earliest",
        max_partition_fetch_bytes=topics.AGENCY_REGISTRY_MAX_BYTES,
    )


async def assign_all(consumer: AIOKafkaConsumer, timeout_seconds: float = 30.0) -> list[TopicPartition]:
    """Every partition of the registry topic. Subscribed without a group, aiokafka assigns them all to this one
    consumer (and none is committed); a topic that does not appear is an error (the set-up makes it)."""
    consumer.subscribe([topics.AGENCY_REGISTRY])
    deadline = time.monotonic() + timeout_seconds
    while not consumer.assignment():
        if time.monotonic() > deadline:
            raise LookupError(f"the topic {topics.AGENCY_REGISTRY} does not exist")
        await asyncio.sleep(0.1)
    return sorted(consumer.assignment())


async def reached(consumer: AIOKafkaConsumer, ends: dict[TopicPartition, int]) -> bool:
    positions = [await consumer.position(partition) for partition in ends]
    return all(position >= end for position, end in zip(positions, ends.values(), strict=True))


class KafkaAgencyRegistry:
    """`follow` runs for the service's lifetime (a background job); `loaded` is the start-up step subscribers
    wait for, so routing never handles an application without a registry; `current` is Router.registry."""

    def __init__(self, kafka: KafkaSettings) -> None:
        self._kafka = kafka
        self._latest = LatestRegistry()
        self._loaded = asyncio.Event()
        # Where to go on after a restart of `follow`: reading from the beginning again would bring back, for a
        # moment, versions older than the current one (until the topic is compacted, it holds them all).
        self._next: dict[TopicPartition, int] = {}
        self._told_waiting = False

    def current(self) -> AgencyRegistry:
        return self._latest.current()

    async def loaded(self) -> None:
        await self._loaded.wait()

    async def follow(self) -> None:
        consumer = registry_consumer(self._kafka)
        await consumer.start()
        try:
            partitions = await assign_all(consumer)
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
            logger.warning(
                "no valid agency registry on %s yet: routing waits for one (`civicflow agencies publish`)",
                topics.AGENCY_REGISTRY,
            )


async def read_current(kafka: KafkaSettings) -> AgencyRegistry | None:
    """The newest valid version on the topic now (None: there is none), read once: for the publishing tool."""
    latest = LatestRegistry()
    consumer = registry_consumer(kafka)
    await consumer.start()
    try:
        partitions = await assign_all(consumer)
        ends = await consumer.end_offsets(partitions)
        await consumer.seek_to_beginning(*partitions)
        while not await reached(consumer, ends):
            for records in (await consumer.getmany(timeout_ms=POLL_MILLISECONDS)).values():
                for record in records:
                    latest.apply(record.value, record.offset)
        return latest.current() if latest.loaded else None
    finally:
        await consumer.stop()
