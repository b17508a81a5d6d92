"""`civicflow deadletters list|show|replay`: what consumers gave up on, and sending it back once it can work.

A replay writes the original message, key and headers unchanged to its source topic, so it keeps its event id:
consumers that handled it before skip it, the one that gave up handles it again.
"""

import asyncio
import json
import time
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from pydantic import ValidationError

from civicflow.shared import topics
from civicflow.shared.events import DeadLetter
from civicflow.shared.kafka import client_options
from civicflow.shared.messaging.deadletters import original_payload
from civicflow.shared.settings import KafkaSettings

REPLAY_OF = "civicflow-replay-of"


@dataclass(frozen=True)
class Filter:
    group: str | None = None
    reason: str | None = None

    def __call__(self, letter: DeadLetter) -> bool:
        return (self.group is None or letter.consumer_group == self.group) and (
            self.reason is None or letter.reason == self.reason
        )


async def read_letters(kafka: KafkaSettings, timeout_seconds: float = 10.0) -> tuple[list[DeadLetter], int]:
    """Every dead letter on the topic, oldest first per partition, and how many records were unreadable."""
    # Group-less and subscribed: aiokafka then assigns every partition of the topic to this one consumer.
    consumer = AIOKafkaConsumer(
        topics.DEAD_LETTER, **client_options(kafka), enable_auto_commit=False, auto_offset_reset="earliest"
    )
    await consumer.start()
    try:
        deadline = time.monotonic() + timeout_seconds
        while not consumer.assignment() and time.monotonic() < deadline:  # noqa: ASYNC110 - aiokafka has no event
            await asyncio.sleep(0.1)
        partitions = sorted(consumer.assignment())
        if not partitions:
            return [], 0
        ends = await consumer.end_offsets(partitions)
        letters, unreadable = [], 0
        while await _behind(consumer, ends):
            for records in (await consumer.getmany(timeout_ms=1000)).values():
                for record in records:
                    try:
                        letters.append(DeadLetter.model_validate_json(record.value or b""))
                    except ValidationError:
                        unreadable += 1
        return letters, unreadable
    finally:
        await consumer.stop()


async def _behind(consumer: AIOKafkaConsumer, ends: dict[TopicPartition, int]) -> bool:
    for partition, end in ends.items():
        if await consumer.position(partition) < end:
            return True
    return False


def summary(letters: Iterable[DeadLetter]) -> str:
    counts = Counter((letter.consumer_group, str(letter.reason)) for letter in letters)
    lines = [f"{count:>6}  {group:<22} {reason}" for (group, reason), count in sorted(counts.items())]
    return "\n".join(["     n  consumer group         reason", *lines]) if lines else "no dead letters"


def line(letter: DeadLetter) -> str:
    replay = f" (replay of {letter.headers[REPLAY_OF]})" if REPLAY_OF in letter.headers else ""
    where = f"{letter.source_topic}[{letter.source_partition}]@{letter.source_offset}"
    return (
        f"{letter.dead_letter_id}  {letter.occurred_at:%Y-%m-%d %H:%M:%S}  {letter.consumer_group}  {letter.reason}"
        f"  {where}  attempts={letter.attempts}{replay}\n    {letter.detail}"
    )


def show(letter: DeadLetter) -> str:
    return json.dumps(letter.model_dump(mode="json"), indent=2, ensure_ascii=False)


def why_not_replayable(letter: DeadLetter) -> str | None:
    if letter.payload_truncated:
        return "its payload was too large to keep whole"
    # The source topic comes from the message's own headers: never write where a stranger says.
    if letter.source_topic not in topics.INTERNAL_TOPICS:
        return f"{letter.source_topic!r} is not a CivicFlow topic"
    return None


async def replay(kafka: KafkaSettings, letters: Iterable[DeadLetter]) -> int:
    """Replays the letters that can be replayed (see why_not_replayable); returns how many."""
    producer = AIOKafkaProducer(**client_options(kafka), acks="all", enable_idempotence=True)
    await producer.start()
    try:
        sent = 0
        for letter in letters:
            if why_not_replayable(letter) is not None:
                continue
            headers = {**letter.headers, REPLAY_OF: str(letter.dead_letter_id)}
            await producer.send_and_wait(
                letter.source_topic,
                original_payload(letter),
                key=letter.key.encode() if letter.key is not None else None,
                headers=[(name, value.encode()) for name, value in headers.items()],
            )
            sent += 1
        return sent
    finally:
        await producer.stop()
