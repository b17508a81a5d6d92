"""Kafka factory: a broker that produces safely, and the port handlers publish through."""

import logging
from typing import Any, Protocol

from faststream.kafka import KafkaBroker
from faststream.kafka.opentelemetry import KafkaTelemetryMiddleware
from opentelemetry import context, propagate
from opentelemetry.sdk.trace import TracerProvider
from pydantic import BaseModel

from civicflow.shared.settings import KafkaSettings

# acks=all with idempotence: a publish is confirmed only once every in-sync replica has it, and a producer
# retry cannot write it twice. No transactional_id: FastStream cannot publish with one. A few milliseconds of
# linger let the events of a batch being handled share produce requests (aiokafka's default sends each alone
# while the broker is idle); the bench's bare relay produces with the same options.
PRODUCER_OPTIONS: dict[str, Any] = {
    "acks": "all",
    "enable_idempotence": True,
    "linger_ms": 5,
    "max_batch_size": 256 * 1024,
}


def make_broker(settings: KafkaSettings, client_id: str, tracer_provider: TracerProvider) -> KafkaBroker:
    return KafkaBroker(
        settings.bootstrap_servers,
        client_id=client_id,
        **PRODUCER_OPTIONS,
        # Pause between attempts while the broker is away (aiokafka's 100 ms keeps every client spinning).
        retry_backoff_ms=500,
        middlewares=[KafkaTelemetryMiddleware(tracer_provider=tracer_provider)],
        # FastStream logs every message received and processed; that is trace material, not log lines.
        log_level=logging.DEBUG,
        # Subscribers decode their records themselves (civicflow.shared.messaging), one by one, so that a record
        # that is no event becomes a dead letter instead of failing its whole batch.
        apply_types=False,
    )


JSON = {"content-type": "application/json"}


async def publish(broker: KafkaBroker, topic: str, event: BaseModel, key: str) -> None:
    await broker.publish(event.model_dump_json().encode(), topic=topic, key=key.encode(), headers=JSON)


class EventPublisher(Protocol):
    """The port handlers publish through; the key keeps one submission's events in order."""

    async def publish(self, topic: str, event: BaseModel, key: str) -> None: ...


class KafkaEventPublisher:
    def __init__(self, broker: KafkaBroker) -> None:
        self._broker = broker

    async def publish(self, topic: str, event: BaseModel, key: str) -> None:
        await publish(self._broker, topic, event, key)

    async def publish_record(self, topic: str, value: bytes, key: str, headers: dict[str, str]) -> None:
        """Publish an already serialised event, in the trace its headers name (one stored earlier)."""
        token = context.attach(propagate.extract(headers))
        try:
            await self._broker.publish(value, topic=topic, key=key.encode(), headers=JSON)
        finally:
            context.detach(token)
