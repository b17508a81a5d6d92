"""The bare relay: what a careful aiokafka program in the pipeline's shape carries through this broker.

One producer writes ~1 KB messages to hop topic 0. Four hops, each in its own process as each CivicFlow
service is, consume topic i and produce to topic i+1, with their own consumer group and their own producer
(acks=all, idempotence on, the services' settings) and commit offsets only after what they produced is
acknowledged. A group-less reader on the last topic counts what arrived. Batching is aiokafka's own:
getmany, send without awaiting each, then await the futures. The ceiling for CivicFlow is distinct messages
on the last topic per second, from the first send to the last arrival.
"""

import asyncio
import dataclasses
import multiprocessing
import os
import time
from collections.abc import Sequence
from dataclasses import dataclass
from multiprocessing.process import BaseProcess
from multiprocessing.synchronize import Event

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from tqdm import tqdm

from civicflow.local.tail import open_tail
from civicflow.local.topics_admin import PARTITIONS
from civicflow.local.usage import PROC, parse_stat
from civicflow.shared.kafka import PRODUCER_OPTIONS, client_options
from civicflow.shared.settings import KafkaSettings

HOPS = 4
# Benchmark-only topics, created for a relay run and deleted after it; no CivicFlow service knows them.
RELAY_TOPICS = tuple(f"bench.relay.hop{index}" for index in range(HOPS + 1))
MESSAGE_BYTES = 1024
# About 10-20 s on the 2-core reference machine while the stack is idle.
DEFAULT_MESSAGES = 60_000
READY_SECONDS = 60.0
STALL_SECONDS = 30.0


@dataclass(frozen=True)
class RelayResult:
    messages: int
    arrived: int
    duplicates: int
    seconds: float  # first send to the last arrival
    cpu_seconds: float = 0.0  # the relay's own processes (producer, reader, four hops) while messages flowed

    @property
    def per_second(self) -> float:
        return self.arrived / self.seconds if self.seconds > 0 else 0.0

    @property
    def complete(self) -> bool:
        return self.arrived == self.messages and self.duplicates == 0


async def run_relay(kafka: KafkaSettings, messages: int = DEFAULT_MESSAGES) -> RelayResult:
    await _create_topics(kafka)
    context = multiprocessing.get_context("spawn")
    stop, ready = context.Event(), [context.Event() for _ in range(HOPS)]
    hops = [
        context.Process(
            target=_hop_process,
            args=(kafka, index, f"bench-relay-hop{index}", ready[index], stop),
            name=f"relay-hop{index}",
            daemon=True,
        )
        for index in range(HOPS)
    ]
    for hop in hops:
        hop.start()
    try:
        reader = await open_tail(kafka, RELAY_TOPICS[-1])
        try:
            await _until_ready(hops, ready)
            cpu_before = _cpu_seconds(hops)
            result = await _pump(kafka, reader, messages)
            cpu_seconds = _cpu_seconds(hops) - cpu_before
        finally:
            await reader.stop()
    finally:
        stop.set()
        await asyncio.to_thread(_join, hops)
        await _delete_topics(kafka)
    return dataclasses.replace(result, cpu_seconds=cpu_seconds)


async def _pump(kafka: KafkaSettings, reader: AIOKafkaConsumer, messages: int) -> RelayResult:
    producer = AIOKafkaProducer(**client_options(kafka), **PRODUCER_OPTIONS)
    await producer.start()
    payload = os.urandom(MESSAGE_BYTES)
    progress = tqdm(total=messages, desc="relay arrived", unit="msg")
    begin = time.perf_counter()
    reading = asyncio.create_task(_read(reader, messages, progress))
    try:
        sent = [await producer.send(RELAY_TOPICS[0], payload, key=_key(index)) for index in range(messages)]
        await asyncio.gather(*sent)
        arrived, duplicates, last = await reading
    finally:
        reading.cancel()
        await producer.stop()
        progress.close()
    return RelayResult(messages, arrived, duplicates, max(0.0, last - begin))


async def _read(reader: AIOKafkaConsumer, messages: int, progress: tqdm) -> tuple[int, int, float]:
    seen = bytearray(messages)
    arrived = duplicates = 0
    last = time.perf_counter()
    while arrived < messages and time.perf_counter() - last < STALL_SECONDS:
        batches = await reader.getmany(timeout_ms=200)
        now = time.perf_counter()
        for records in batches.values():
            for record in records:
                index = int.from_bytes(record.key, "big")
                if index >= messages:
                    continue
                if seen[index]:
                    duplicates += 1
                    continue
                seen[index] = 1
                arrived += 1
                last = now
            progress.update(len(records))
    return arrived, duplicates, last


def _hop_process(kafka: KafkaSettings, index: int, group_id: str, ready: Event, stop: Event) -> None:
    asyncio.run(_hop(kafka, RELAY_TOPICS[index], RELAY_TOPICS[index + 1], group_id, ready, stop))


async def _hop(kafka: KafkaSettings, source: str, target: str, group_id: str, ready: Event, stop: Event) -> None:
    consumer = AIOKafkaConsumer(
        source,
        **client_options(kafka),
        group_id=group_id,
        enable_auto_commit=False,
        auto_offset_reset="latest",
    )
    producer = AIOKafkaProducer(**client_options(kafka), **PRODUCER_OPTIONS)
    await consumer.start()
    await producer.start()
    try:
        await _until_assigned(consumer)
        ready.set()
        while not stop.is_set():
            batches = await consumer.getmany(timeout_ms=100)
            if not batches:
                continue
            sent = [
                await producer.send(target, record.value, key=record.key)
                for records in batches.values()
                for record in records
            ]
            await asyncio.gather(*sent)
            await consumer.commit({partition: records[-1].offset + 1 for partition, records in batches.items()})
    finally:
        await consumer.stop()
        await producer.stop()


async def _until_assigned(consumer: AIOKafkaConsumer) -> None:
    deadline = time.monotonic() + READY_SECONDS
    while len(consumer.assignment()) < PARTITIONS:
        if time.monotonic() > deadline:
            raise TimeoutError(f"no partitions assigned within {READY_SECONDS:.0f} s")
        await asyncio.sleep(0.1)
    # From the end, whatever an interrupted run left behind and committed; resolved before the first send.
    await consumer.seek_to_end(*consumer.assignment())
    for partition in consumer.assignment():
        await consumer.position(partition)


async def _until_ready(hops: Sequence[BaseProcess], ready: Sequence[Event]) -> None:
    deadline = time.monotonic() + READY_SECONDS
    while not all(event.is_set() for event in ready):
        failed = [hop.name for hop in hops if hop.exitcode is not None]
        if failed or time.monotonic() > deadline:
            raise RuntimeError(f"relay hops not ready: {failed or 'timeout'}")
        await asyncio.sleep(0.1)


def _join(hops: Sequence[BaseProcess]) -> None:
    for hop in hops:
        hop.join(timeout=30)
        if hop.is_alive():
            hop.terminate()
            hop.join(timeout=5)


def _key(index: int) -> bytes:
    return index.to_bytes(8, "big")


def _cpu_seconds(hops: Sequence[BaseProcess]) -> float:
    """CPU seconds so far of the hops and of this process (the producer and the reader)."""
    ticks = sum(parse_stat((PROC / str(hop.pid) / "stat").read_text()).cpu_ticks for hop in hops)
    times = os.times()
    return ticks / os.sysconf("SC_CLK_TCK") + times.user + times.system


async def _create_topics(kafka: KafkaSettings) -> None:
    admin = AIOKafkaAdminClient(**client_options(kafka))
    await admin.start()
    try:
        # Left over from an interrupted run: reused; the hops and the reader start at their end.
        existing = set(await admin.list_topics())
        missing = [NewTopic(name, PARTITIONS, 1) for name in RELAY_TOPICS if name not in existing]
        if missing:
            await admin.create_topics(missing)
        await _until_led(admin)
    finally:
        await admin.close()


async def _until_led(admin: AIOKafkaAdminClient) -> None:
    """Until every partition has a leader: a client that comes earlier logs errors while it retries."""
    deadline = time.monotonic() + READY_SECONDS
    while time.monotonic() < deadline:
        topics = await admin.describe_topics(list(RELAY_TOPICS))
        partitions = [partition for topic in topics if topic["error_code"] == 0 for partition in topic["partitions"]]
        if len(partitions) == len(RELAY_TOPICS) * PARTITIONS and all(p["leader"] >= 0 for p in partitions):
            return
        await asyncio.sleep(0.1)


async def _delete_topics(kafka: KafkaSettings) -> None:
    admin = AIOKafkaAdminClient(**client_options(kafka))
    await admin.start()
    try:
        await admin.delete_topics(list(RELAY_TOPICS))
    finally:
        await admin.close()
