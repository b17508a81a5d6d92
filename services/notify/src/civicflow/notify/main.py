"""Notify's composition root."""

from fastapi import FastAPI

from civicflow.notify.adapters.smtp_email import SmtpEmail
from civicflow.notify.config import CONSUMER_GROUP, DEFAULT_DATABASE, DEFAULT_PORT, SERVICE_NAME, NotifySettings
from civicflow.notify.domain.channels import ChannelRegistry
from civicflow.notify.entrypoints import kafka
from civicflow.shared.app import make_service_app, serve
from civicflow.shared.kafka import KafkaEventPublisher, make_broker
from civicflow.shared.messaging import Consumers
from civicflow.shared.mongo import make_mongo_client
from civicflow.shared.security.keys import KeyName
from civicflow.shared.security.sealing import sealer_for
from civicflow.shared.telemetry import configure_logging, configure_tracing


def create_app(settings: NotifySettings | None = None) -> FastAPI:
    settings = settings or NotifySettings()
    settings.check_for(settings.runtime.env)
    settings.smtp.check_for(settings.runtime.env)
    sealer = sealer_for(settings.keys, KeyName.CONTACT, KeyName.CORRESPONDENCE)
    tracer_provider = configure_tracing(SERVICE_NAME)
    broker = make_broker(settings.kafka, SERVICE_NAME, tracer_provider)
    mongo = make_mongo_client(settings.mongo)
    email = SmtpEmail(settings.smtp)
    channels = ChannelRegistry()
    channels.register(email)
    consumers = Consumers(
        broker, CONSUMER_GROUP, settings.messaging, mongo[settings.mongo.database_or(DEFAULT_DATABASE)]
    )
    kafka.register_subscribers(consumers, channels, sealer, KafkaEventPublisher(broker))
    return make_service_app(
        title="CivicFlow notify",
        broker=broker,
        mongo=mongo,
        tracer_provider=tracer_provider,
        background=[consumers.sweep],
        on_shutdown=email.close,
    )


def main() -> None:
    configure_logging()
    settings = NotifySettings()
    serve(create_app(settings), settings.http.host, settings.http.port_or(DEFAULT_PORT))
