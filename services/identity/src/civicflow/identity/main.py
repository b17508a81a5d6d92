"""Identity's composition root."""

import httpx
from fastapi import FastAPI
from prometheus_client import CollectorRegistry

from civicflow.identity.adapters.http_jwks import HttpJwks
from civicflow.identity.adapters.mongo_profiles import MongoProfiles
from civicflow.identity.adapters.mongo_token_uses import MongoTokenUses
from civicflow.identity.config import CONSUMER_GROUP, DEFAULT_DATABASE, DEFAULT_PORT, SERVICE_NAME, IdentitySettings
from civicflow.identity.entrypoints import kafka
from civicflow.identity.handlers import Trusted, Verifier
from civicflow.shared.app import make_service_app, serve
from civicflow.shared.kafka import KafkaEventPublisher, make_broker
from civicflow.shared.messaging import Consumers
from civicflow.shared.mongo import make_mongo_client
from civicflow.shared.security.keys import KeyName, keyring
from civicflow.shared.security.sealing import sealer_for
from civicflow.shared.telemetry import configure_logging, configure_tracing


def create_app(settings: IdentitySettings | None = None) -> FastAPI:
    settings = settings or IdentitySettings()
    settings.check_for(settings.runtime.env)
    settings.idp.check_for(settings.runtime.env)
    sealer = sealer_for(settings.keys, KeyName.APPLICANT, KeyName.IDENTITY_TOKEN, KeyName.PROFILE)
    pseudonym_key = keyring(settings.keys, KeyName.PSEUDONYM).current
    tracer_provider = configure_tracing(SERVICE_NAME)
    metrics = CollectorRegistry()  # this app's own (civicflow.shared.metrics)
    broker = make_broker(settings.kafka, SERVICE_NAME, tracer_provider, metrics)
    mongo = make_mongo_client(settings.mongo)
    http_client = httpx.AsyncClient(timeout=5.0)
    trusted = tuple(
        Trusted(provider, HttpJwks(provider.jwks_url, http_client, issuer=provider.issuer))
        for provider in settings.idp.providers
    )
    database = mongo[settings.mongo.database_or(DEFAULT_DATABASE)]
    uses = MongoTokenUses(database)
    verifier = Verifier(trusted, sealer, pseudonym_key, uses, MongoProfiles(database, sealer))
    consumers = Consumers(broker, CONSUMER_GROUP, settings.messaging, database, metrics)
    kafka.register_subscribers(consumers, verifier, KafkaEventPublisher(broker))
    return make_service_app(
        title="CivicFlow identity",
        broker=broker,
        mongo=mongo,
        tracer_provider=tracer_provider,
        metrics=metrics,
        background=[consumers.sweep, uses.sweep],
        on_shutdown=http_client.aclose,
    )


def main() -> None:
    configure_logging()
    settings = IdentitySettings()
    serve(create_app(settings), settings.http.host, settings.http.port_or(DEFAULT_PORT))
