"""Kafka factory: a broker that produces safely, and the port handlers publish through."""

import logging
import ssl
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, Protocol

from aiokafka.helpers import create_ssl_context
from faststream import BaseMiddleware, ContextRepo
from faststream.kafka import KafkaBroker
from faststream.kafka.prometheus import KafkaPrometheusMiddleware
from faststream.kafka.response import KafkaPublishCommand
from faststream.security import BaseSecurity, SASLScram512
from opentelemetry import context, propagate, trace
from opentelemetry.sdk.trace import TracerProvider
from prometheus_client import CollectorRegistry
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


SASL_MECHANISM = "SCRAM-SHA-512"


def ssl_context(settings: KafkaSettings) -> ssl.SSLContext | None:
    if settings.security_protocol != "SASL_SSL":
        return None
    context: ssl.SSLContext = create_ssl_context(cafile=str(settings.ssl_cafile) if settings.ssl_cafile else None)
    return context


def client_options(settings: KafkaSettings) -> dict[str, Any]:
    """What every aiokafka client (producer, consumer, admin) needs to reach the brokers as its principal."""
    options: dict[str, Any] = {"bootstrap_servers": settings.bootstrap_servers}
    if settings.security_protocol != "PLAINTEXT":
        assert settings.sasl_password is not None  # KafkaSettings refuses SASL without one
        options |= {
            "security_protocol": settings.security_protocol,
            "sasl_mechanism": SASL_MECHANISM,
            "sasl_plain_username": settings.sasl_username,
            "sasl_plain_password": settings.sasl_password.get_secret_value(),
            "ssl_context": ssl_context(settings),
        }
    return options


def broker_security(settings: KafkaSettings) -> BaseSecurity | None:
    if settings.security_protocol == "PLAINTEXT" or settings.sasl_username is None or settings.sasl_password is None:
        return None
    context = ssl_context(settings)
    return SASLScram512(
        settings.sasl_username,
        settings.sasl_password.get_secret_value(),
        ssl_context=context,
        use_ssl=context is not None,
    )


class PublishTracing:
    """One span per record published, its context carried in the record's headers (W3C traceparent, tracestate), so
    that the consumer's span of the record continues the trace (civicflow.shared.messaging.tracing).

    Instead of FastStream's KafkaTelemetryMiddleware, which made two spans per publish (an empty "create" and the
    "publish") and, per batch fetched, a trace of its own linked to every record in it, besides the span per event
    our consumers make: with it, an eighth of all spans exported said nothing (docs/benchmarks.md, issue 11). Not
    OpenTelemetry's aiokafka instrumentation either: it would trace every record twice."""

    def __init__(self, tracer_provider: TracerProvider) -> None:
        self._tracer = tracer_provider.get_tracer("civicflow.messaging")

    def __call__(self, msg: Any, /, *, context: ContextRepo) -> "_PublishSpan":
        return _PublishSpan(msg, context=context, tracer=self._tracer)


class _PublishSpan(BaseMiddleware[KafkaPublishCommand, Any]):
    def __init__(self, msg: Any, /, *, context: ContextRepo, tracer: trace.Tracer) -> None:
        super().__init__(msg, context=context)
        self._tracer = tracer

    async def publish_scope(
        self, call_next: Callable[[KafkaPublishCommand], Awaitable[Any]], cmd: KafkaPublishCommand
    ) -> Any:
        attributes = {
            "messaging.system": "kafka",
            "messaging.operation.type": "send",
            "messaging.destination.name": cmd.destination,
        }
        # The error's kind only: an exception's message may quote what was published.
        with self._tracer.start_as_current_span(
            f"{cmd.destination} publish",
            kind=trace.SpanKind.PRODUCER,
            attributes=attributes,
            record_exception=False,
            set_status_on_exception=False,
        ) as span:
            # Into a copy: the caller's headers may be shared (publish's JSON), and another publish may run while
            # this one waits for the producer, before its headers are written into the record.
            cmd.headers = dict(cmd.headers)
            propagate.inject(cmd.headers)
            try:
                return await call_next(cmd)
            except Exception as error:
                span.set_attribute("error.type", type(error).__name__)
                span.set_status(trace.StatusCode.ERROR)
                raise


def make_broker(
    settings: KafkaSettings, client_id: str, tracer_provider: TracerProvider, metrics: CollectorRegistry
) -> KafkaBroker:
    """Traced by PublishTracing, measured by FastStream's Prometheus middleware into the app's registry (faststream_*:
    batches received, their size and duration, published messages; `app_name` is the service)."""
    return KafkaBroker(
        settings.bootstrap_servers,
        client_id=client_id,
        security=broker_security(settings),
        # Topics are made by the set-up (local stack, compose, the Kubernetes job), never by a service, which may
        # not create them (README, "Security").
        allow_auto_create_topics=False,
        **PRODUCER_OPTIONS,
        # Pause between attempts while the broker is away (aiokafka's 100 ms keeps every client spinning).
        retry_backoff_ms=500,
        middlewares=[
            PublishTracing(tracer_provider),
            KafkaPrometheusMiddleware(registry=metrics, app_name=client_id),
        ],
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


class RecordPublisher(Protocol):
    """The port for a record that is not an event model: a value already serialised (e.g. encrypted for its
    reader), with its own headers. Published in the current trace, whose context is added to the headers."""

    async def publish_bytes(self, topic: str, value: bytes, key: str, headers: Mapping[str, str]) -> None: ...


class KafkaEventPublisher:
    def __init__(self, broker: KafkaBroker) -> None:
        self._broker = broker

    async def publish(self, topic: str, event: BaseModel, key: str) -> None:
        await publish(self._broker, topic, event, key)

    async def publish_bytes(self, topic: str, value: bytes, key: str, headers: Mapping[str, str]) -> None:
        # The broker's producer (PRODUCER_OPTIONS: acks=all, idempotence); PublishTracing adds the trace context
        # (traceparent, tracestate) to these headers.
        await self._broker.publish(value, topic=topic, key=key.encode(), headers=dict(headers))

    async def publish_record(self, topic: str, value: bytes, key: str, headers: dict[str, str]) -> None:
        """Publish an already serialised event, in the trace its headers name (one stored earlier)."""
        token = context.attach(propagate.extract(headers))
        try:
            await self._broker.publish(value, topic=topic, key=key.encode(), headers=JSON)
        finally:
            context.detach(token)
