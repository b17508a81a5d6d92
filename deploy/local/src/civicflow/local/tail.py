"""Watching topics from outside the pipeline, as an agency or an operator would."""

import asyncio
import time

from aiokafka import AIOKafkaConsumer

from civicflow.shared.kafka import client_options
from civicflow.shared.settings import KafkaSettings


async def open_tail(kafka: KafkaSettings, *topics: str, timeout_seconds: float = 30.0) -> AIOKafkaConsumer:
    """A group-less consumer on `topics`, positioned at their end: it sees only what comes next."""
    consumer = AIOKafkaConsumer(*topics, **client_options(kafka), enable_auto_commit=False)
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
