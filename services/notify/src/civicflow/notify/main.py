"""Notify's composition root."""

from datetime import timedelta
from functools import partial

from fastapi import FastAPI

from civicflow.notify.adapters.smtp_email import SmtpEmail
from civicflow.notify.config import CONSUMER_GROUP, DEFAULT_DATABASE, DEFAULT_PORT, SERVICE_NAME, NotifySettings
from civicflow.notify.domain.channels import ChannelRegistry
from civicflow.notify.entrypoints import kafka
from civicflow.shared.app import SWEEP_INTERVAL_SECONDS, make_service_app, periodically, serve
from civicflow.shared.kafka import KafkaEventPublisher, make_broker
from civicflow.shared.messaging import Consumers, MongoProcessedEvents
from civicflow.shared.mongo import make_mongo_client, store_up
from civicflow.shared.telemetry import configure_logging, configure_tracing


def create_app(settings: NotifySettings | None = None) -> FastAPI:
    settings = settings or NotifySettings()
    settings.smtp.check_for(settings.runtime.env)
    tracer_provider = configure_tracing(SERVICE_NAME)
    broker = make_broker(settings.kafka, SERVICE_NAME, tracer_provider)
    mongo = make_mongo_client(settings.mongo)
    email = SmtpEmail(settings.smtp)
    channels = ChannelRegistry()
    channels.register(email)
    sent = MongoProcessedEvents(
        mongo[settings.mongo.database_or(DEFAULT_DATABASE)],
        timedelta(days=settings.messaging.processed_retention_days),
    )
    consumers = Consumers(broker, CONSUMER_GROUP, settings.messaging, partial(store_up, mongo))
    kafka.register_subscribers(consumers, channels, KafkaEventPublisher(broker), sent)
    return make_service_app(
        title="CivicFlow notify",
        broker=broker,
        mongo=mongo,
        tracer_provider=tracer_provider,
        background=[periodically(SWEEP_INTERVAL_SECONDS, sent.forget_expired)],
        on_shutdown=email.close,
    )


def main() -> None:
    configure_logging()
    settings = NotifySettings()
    serve(create_app(settings), settings.http.host, settings.http.port_or(DEFAULT_PORT))
