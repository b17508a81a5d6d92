"""Kafka factories: a broker that produces safely, and consumer options that commit after processing."""

import logging
from typing import Any, Protocol

from faststream import AckPolicy
from faststream.kafka import KafkaBroker
from faststream.kafka.opentelemetry import KafkaTelemetryMiddleware
from opentelemetry.sdk.trace import TracerProvider
from pydantic import BaseModel

from civicflow.shared.settings import KafkaSettings


def make_broker(settings: KafkaSettings, client_id: str, tracer_provider: TracerProvider) -> KafkaBroker:
    # acks=all with idempotence: a publish is confirmed only once every in-sync replica has it, and a
    # producer retry cannot write it twice. No transactional_id: FastStream cannot publish with one.
    return KafkaBroker(
        settings.bootstrap_servers,
        client_id=client_id,
        acks="all",
        enable_idempotence=True,
        middlewares=[KafkaTelemetryMiddleware(tracer_provider=tracer_provider)],
        # FastStream logs every message received and processed; that is trace material, not log lines.
        log_level=logging.DEBUG,
    )


def consumer_options(group_id: str) -> dict[str, Any]:
    """Subscriber options for every CivicFlow consumer.

    FastStream's default commits before the handler runs (a crash loses the message) and starts new groups
    at the log's end. Here offsets are committed after the handler returns; an unexpected error rewinds to
    the message (nack) so it is processed again, which the handlers tolerate by de-duplicating on event id.
    """
    return {
        "group_id": group_id,
        "auto_offset_reset": "earliest",
        "ack_policy": AckPolicy.NACK_ON_ERROR,
    }


async def publish(broker: KafkaBroker, topic: str, event: BaseModel, key: str) -> None:
    await broker.publish(event.model_dump(mode="json"), topic=topic, key=key.encode())


class EventPublisher(Protocol):
    """The port handlers publish through; the key keeps one submission's events in order."""

    async def publish(self, topic: str, event: BaseModel, key: str) -> None: ...


class KafkaEventPublisher:
    def __init__(self, broker: KafkaBroker) -> None:
        self._broker = broker

    async def publish(self, topic: str, event: BaseModel, key: str) -> None:
        await publish(self._broker, topic, event, key)
