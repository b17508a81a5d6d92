"""Turning a Kafka message into an event, or into a dead letter with the reason when it is not one."""

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TypeVar

from aiokafka.structs import ConsumerRecord
from faststream.kafka import KafkaBroker, KafkaMessage
from pydantic import BaseModel, ValidationError

from civicflow.shared import topics
from civicflow.shared.events import DeadLetter
from civicflow.shared.events.base import FROM_KAFKA
from civicflow.shared.kafka import publish

E = TypeVar("E", bound=BaseModel)

logger = logging.getLogger(__name__)


def source_record(message: KafkaMessage) -> ConsumerRecord:
    """The Kafka record behind a message (CivicFlow subscribers take one record at a time, never batches)."""
    record = message.raw_message
    assert isinstance(record, ConsumerRecord)
    return record


def describe(error: ValidationError) -> str:
    """Field paths and messages only: the input values may be personal data."""
    return "; ".join(
        f"{'.'.join(str(part) for part in item['loc']) or '<message>'}: {item['msg']}"
        for item in error.errors(include_input=False, include_url=False)
    )


async def decode_or_dead_letter(
    event_type: type[E], message: KafkaMessage, broker: KafkaBroker, consumer_group: str
) -> E | None:
    try:
        return event_type.model_validate_json(message.body, context=FROM_KAFKA)
    except ValidationError as error:
        record = source_record(message)
        letter = DeadLetter(
            consumer_group=consumer_group,
            source_topic=record.topic,
            source_partition=record.partition,
            source_offset=record.offset,
            reason=f"not a valid {event_type.__name__}: {describe(error)}",
            payload=message.body.decode("utf-8", errors="replace"),
        )
        await publish(broker, topics.DEAD_LETTER, letter, key=str(letter.dead_letter_id))
        logger.warning("dead-lettered %s offset %s: %s", letter.source_topic, letter.source_offset, letter.reason)
        return None


# How long a failed handler waits before its message is redelivered, so an outage (database, identity
# provider) is retried at a steady pace instead of in a tight loop.
REDELIVERY_PAUSE_SECONDS = 1.0


@asynccontextmanager
async def redelivered_on_failure(pause_seconds: float = REDELIVERY_PAUSE_SECONDS) -> AsyncIterator[None]:
    """Let an unexpected error rewind the consumer to the message (nothing is committed), after a pause."""
    try:
        yield
    except Exception:
        logger.exception("handling failed; the message will be redelivered in %.1f s", pause_seconds)
        await asyncio.sleep(pause_seconds)
        raise
