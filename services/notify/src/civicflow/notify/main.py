"""Notify's composition root."""

import argparse
from collections.abc import Sequence
from datetime import timedelta
from functools import partial
from importlib import resources
from pathlib import Path

from fastapi import FastAPI
from prometheus_client import CollectorRegistry

from civicflow.notify.adapters.mongo_notifications import MongoNotifications
from civicflow.notify.adapters.mongo_sending_limits import sending_guard
from civicflow.notify.adapters.prometheus_statuses import StatusCountingPublisher
from civicflow.notify.adapters.sms_http import HttpSms
from civicflow.notify.adapters.smtp_email import SmtpEmail
from civicflow.notify.adapters.webhook import PortalWebhook
from civicflow.notify.config import CONSUMER_GROUP, DEFAULT_DATABASE, DEFAULT_PORT, SERVICE_NAME, NotifySettings
from civicflow.notify.domain.channels import ChannelRegistry
from civicflow.notify.domain.policy import NotificationPolicy
from civicflow.notify.entrypoints import kafka
from civicflow.notify.entrypoints.windows import WindowCloser
from civicflow.notify.handlers.forgetting import forget_old
from civicflow.notify.handlers.sending import Sending
from civicflow.notify.preview import add_preview_command, preview
from civicflow.shared.app import make_service_app, serve
from civicflow.shared.kafka import KafkaEventPublisher, make_broker
from civicflow.shared.messaging import Consumers
from civicflow.shared.mongo import make_mongo_client
from civicflow.shared.security.keys import KeyName
from civicflow.shared.security.sealing import sealer_for
from civicflow.shared.telemetry import configure_logging, configure_tracing


def create_app(settings: NotifySettings | None = None) -> FastAPI:
    settings = settings or NotifySettings()
    settings.check_for(settings.runtime.env)  # the channels' settings too (NotifySettings.check_for)
    sealer = sealer_for(settings.keys, KeyName.CONTACT, KeyName.CORRESPONDENCE)
    notifications = settings.notifications
    policy = NotificationPolicy.read(notifications.policy_file or shipped_policy(), notifications.coalesce_seconds)
    messaging = notifications.messaging(settings.messaging)
    tracer_provider = configure_tracing(SERVICE_NAME)
    metrics = CollectorRegistry()  # this app's own (civicflow.shared.metrics)
    broker = make_broker(settings.kafka, SERVICE_NAME, tracer_provider, metrics)
    mongo = make_mongo_client(settings.mongo)
    channels = ChannelRegistry()
    channels.register(SmtpEmail(settings.smtp))  # the fallback: every application carries an e-mail address
    if settings.sms.url:
        channels.register(HttpSms(settings.sms))
    if settings.webhook.url:
        channels.register(PortalWebhook(settings.webhook))
    database = mongo[settings.mongo.database_or(DEFAULT_DATABASE)]
    consumers = Consumers(broker, CONSUMER_GROUP, messaging, database, metrics)
    store = MongoNotifications(database)
    publisher = StatusCountingPublisher(KafkaEventPublisher(broker), metrics)
    guard = sending_guard(settings, database)
    sending = Sending(store, channels, guard, sealer, publisher, attempts=messaging.retries + 1)
    closer = WindowCloser(store, publisher, policy)
    kafka.register_subscribers(consumers, store, policy, sending.send, closer.opened)
    return make_service_app(
        title="CivicFlow notify",
        broker=broker,
        mongo=mongo,
        tracer_provider=tracer_provider,
        metrics=metrics,
        background=[
            consumers.sweep,
            closer.run,
            partial(forget_old, store, timedelta(days=notifications.retention_days)),
        ],
        on_shutdown=channels.close,
    )


def shipped_policy() -> Path:
    return Path(str(resources.files("civicflow.notify").joinpath("policy", "default.toml")))


def main(argv: Sequence[str] | None = None) -> None:
    """`civicflow-notify` serves; `civicflow-notify preview TEMPLATE` renders a message template and exits."""
    parser = argparse.ArgumentParser(prog="civicflow-notify", description="CivicFlow notify; without a command, serve")
    add_preview_command(parser.add_subparsers(dest="command"))
    arguments = parser.parse_args(argv)
    if arguments.command == "preview":
        raise SystemExit(preview(arguments))
    configure_logging()
    settings = NotifySettings()
    serve(create_app(settings), settings.http.host, settings.http.port_or(DEFAULT_PORT))
