"""Routing's composition root."""

from functools import partial

from fastapi import FastAPI
from prometheus_client import CollectorRegistry

from civicflow.routing.adapters.file_reference_data import load_postal_index
from civicflow.routing.adapters.kafka_registry import KafkaAgencyRegistry
from civicflow.routing.adapters.mongo_deliveries import MongoDeliveries
from civicflow.routing.adapters.mongo_waiting import MongoWaitingApplications
from civicflow.routing.config import CONSUMER_GROUP, DEFAULT_DATABASE, DEFAULT_PORT, SERVICE_NAME, RoutingSettings
from civicflow.routing.entrypoints import kafka
from civicflow.routing.handlers import Router, give_up_unanswered
from civicflow.shared.app import make_service_app, serve
from civicflow.shared.kafka import KafkaEventPublisher, make_broker
from civicflow.shared.messaging import Consumers
from civicflow.shared.mongo import make_mongo_client
from civicflow.shared.security.keys import KeyName, keyring
from civicflow.shared.security.sealing import sealer_for
from civicflow.shared.telemetry import configure_logging, configure_tracing


def create_app(settings: RoutingSettings | None = None) -> FastAPI:
    settings = settings or RoutingSettings()
    settings.check_for(settings.runtime.env)
    sealer = sealer_for(settings.keys, KeyName.APPLICANT, KeyName.CORRESPONDENCE)
    pseudonym_key = keyring(settings.keys, KeyName.AGENCY_PSEUDONYM).current
    tracer_provider = configure_tracing(SERVICE_NAME)
    metrics = CollectorRegistry()  # this app's own (civicflow.shared.metrics)
    broker = make_broker(settings.kafka, SERVICE_NAME, tracer_provider, metrics)
    mongo = make_mongo_client(settings.mongo)
    postal = load_postal_index(settings.data.postal_table)
    registry = KafkaAgencyRegistry(settings.kafka)
    database = mongo[settings.mongo.database_or(DEFAULT_DATABASE)]
    waiting = MongoWaitingApplications(database)
    router = Router(postal, registry.current, sealer, pseudonym_key, waiting, MongoDeliveries(database))
    publisher = KafkaEventPublisher(broker)
    consumers = Consumers(broker, CONSUMER_GROUP, settings.messaging, database, metrics)
    kafka.register_subscribers(consumers, router, publisher)
    give_up = partial(give_up_unanswered, router=router, publisher=publisher)
    return make_service_app(
        title="CivicFlow routing",
        broker=broker,
        mongo=mongo,
        tracer_provider=tracer_provider,
        metrics=metrics,
        background=[registry.follow, consumers.sweep, partial(waiting.sweep, give_up)],
        before_consuming=registry.loaded,
    )


def main() -> None:
    configure_logging()
    settings = RoutingSettings()
    serve(create_app(settings), settings.http.host, settings.http.port_or(DEFAULT_PORT))
