"""Intake's composition root."""

from importlib import resources

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.staticfiles import StaticFiles
from starlette.middleware import Middleware

from civicflow.intake.adapters.mongo_submissions import MongoSubmissions
from civicflow.intake.config import CONSUMER_GROUP, DEFAULT_DATABASE, DEFAULT_PORT, SERVICE_NAME, IntakeSettings
from civicflow.intake.domain.catalogue import Catalogue
from civicflow.intake.entrypoints import kafka, problems
from civicflow.intake.entrypoints.catalogue_http import catalogue_router
from civicflow.intake.entrypoints.http import submissions_router
from civicflow.intake.entrypoints.limits import RequestLimits
from civicflow.intake.entrypoints.openapi import install_openapi
from civicflow.intake.entrypoints.rate_limit import TokenBuckets
from civicflow.intake.relay import OutboxRelay
from civicflow.intake.web.pages import pages_router
from civicflow.shared.app import make_service_app, serve
from civicflow.shared.kafka import KafkaEventPublisher, make_broker
from civicflow.shared.messaging import Consumers
from civicflow.shared.mongo import make_mongo_client
from civicflow.shared.security.keys import KeyName
from civicflow.shared.security.sealing import sealer_for
from civicflow.shared.telemetry import configure_logging, configure_tracing


def create_app(settings: IntakeSettings | None = None) -> FastAPI:
    settings = settings or IntakeSettings()
    settings.check_for(settings.runtime.env)
    sealer = sealer_for(settings.keys, KeyName.APPLICANT, KeyName.IDENTITY_TOKEN, KeyName.CONTACT)
    tracer_provider = configure_tracing(SERVICE_NAME)
    broker = make_broker(settings.kafka, SERVICE_NAME, tracer_provider)
    mongo = make_mongo_client(settings.mongo)
    database = mongo[settings.mongo.database_or(DEFAULT_DATABASE)]
    submissions = MongoSubmissions(database)
    kafka.register_subscribers(Consumers(broker, CONSUMER_GROUP, settings.messaging, database), submissions)
    relay = OutboxRelay(submissions, KafkaEventPublisher(broker))

    app = make_service_app(
        title="CivicFlow intake",
        broker=broker,
        mongo=mongo,
        tracer_provider=tracer_provider,
        background=[relay.run, submissions.forget_claims],
        middleware=_middleware(settings),
    )
    catalogue = Catalogue.bundled()
    problems.install_problem_handlers(app)
    install_openapi(app, catalogue)
    app.include_router(catalogue_router(catalogue))
    app.include_router(pages_router(catalogue, settings.web.public_url))
    app.mount("/static", StaticFiles(directory=str(resources.files("civicflow.intake.web").joinpath("static"))))
    app.include_router(submissions_router(catalogue, submissions, relay, sealer, settings.max_body_bytes))
    return app


def _middleware(settings: IntakeSettings) -> list[Middleware]:
    buckets = TokenBuckets(settings.rate_limit.per_minute, settings.rate_limit.burst)
    found = [Middleware(RequestLimits, buckets=buckets)]
    if settings.web.cors_origins:
        found.append(
            Middleware(
                CORSMiddleware,
                allow_origins=list(settings.web.cors_origins),
                allow_methods=["GET", "POST"],
                allow_headers=["Content-Type", "Authorization", "Idempotency-Key", "Accept-Language"],
                expose_headers=["Location", "Retry-After"],
            )
        )
    return found


def main() -> None:
    configure_logging()
    settings = IntakeSettings()
    serve(create_app(settings), settings.http.host, settings.http.port_or(DEFAULT_PORT))
