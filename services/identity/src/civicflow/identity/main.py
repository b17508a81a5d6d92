"""Identity's composition root."""

from datetime import timedelta
from functools import partial

import httpx
from fastapi import FastAPI

from civicflow.identity.adapters.http_jwks import HttpJwks
from civicflow.identity.config import CONSUMER_GROUP, DEFAULT_DATABASE, DEFAULT_PORT, SERVICE_NAME, IdentitySettings
from civicflow.identity.domain.assertion import Expectations
from civicflow.identity.entrypoints import kafka
from civicflow.shared.app import SWEEP_INTERVAL_SECONDS, make_service_app, periodically, serve
from civicflow.shared.kafka import KafkaEventPublisher, make_broker
from civicflow.shared.messaging import Consumers, MongoProcessedEvents
from civicflow.shared.mongo import make_mongo_client, store_up
from civicflow.shared.telemetry import configure_logging, configure_tracing


def create_app(settings: IdentitySettings | None = None) -> FastAPI:
    settings = settings or IdentitySettings()
    settings.idp.check_for(settings.runtime.env)
    tracer_provider = configure_tracing(SERVICE_NAME)
    broker = make_broker(settings.kafka, SERVICE_NAME, tracer_provider)
    mongo = make_mongo_client(settings.mongo)
    http_client = httpx.AsyncClient(timeout=5.0)
    keys = HttpJwks(settings.idp.jwks_url, http_client)
    expected = Expectations(issuer=settings.idp.issuer, audience=settings.idp.audience)
    processed = MongoProcessedEvents(
        mongo[settings.mongo.database_or(DEFAULT_DATABASE)],
        timedelta(days=settings.messaging.processed_retention_days),
    )
    consumers = Consumers(broker, CONSUMER_GROUP, settings.messaging, partial(store_up, mongo))
    kafka.register_subscribers(consumers, keys, expected, KafkaEventPublisher(broker), processed)
    return make_service_app(
        title="CivicFlow identity",
        broker=broker,
        mongo=mongo,
        tracer_provider=tracer_provider,
        background=[periodically(SWEEP_INTERVAL_SECONDS, processed.forget_expired)],
        on_shutdown=http_client.aclose,
    )


def main() -> None:
    configure_logging()
    settings = IdentitySettings()
    serve(create_app(settings), settings.http.host, settings.http.port_or(DEFAULT_PORT))
