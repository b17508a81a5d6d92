"""Watching topics from outside the pipeline, as an agency or an operator would."""

import asyncio
import time

from aiokafka import AIOKafkaConsumer


async def open_tail(bootstrap_servers: str, *topics: str, timeout_seconds: float = 30.0) -> AIOKafkaConsumer:
    """A group-less consumer on `topics`, positioned at their end: it sees only what comes next."""
    consumer = AIOKafkaConsumer(*topics, bootstrap_servers=bootstrap_servers, enable_auto_commit=False)
    await consumer.start()
    deadline = time.monotonic() + timeout_seconds
    while {partition.topic for partition in consumer.assignment()} != set(topics):
        if time.monotonic() > deadline:
            await consumer.stop()
            raise SystemExit(f"topics missing: {sorted(set(topics) - {p.topic for p in consumer.assignment()})}")
        await asyncio.sleep(0.1)
    partitions = sorted(consumer.assignment())
    await consumer.seek_to_end(*partitions)
    for partition in partitions:
        await consumer.position(partition)  # resolve the end offset now, before anything is posted
    return consumer
