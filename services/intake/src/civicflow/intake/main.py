"""Intake's composition root."""

from importlib import resources

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.staticfiles import StaticFiles
from faststream.kafka import KafkaBroker
from prometheus_client import CollectorRegistry
from pymongo.asynchronous.database import AsyncDatabase
from starlette.middleware import Middleware

from civicflow.intake.adapters.http_oidc import OidcProvider
from civicflow.intake.adapters.kafka_agency_keys import KafkaAgencyKeys
from civicflow.intake.adapters.mongo_attachments import MongoAttachments
from civicflow.intake.adapters.mongo_profiles import MongoProfileCopies
from civicflow.intake.adapters.mongo_ratings import MongoRatings
from civicflow.intake.adapters.mongo_sign_ins import MongoSignIns
from civicflow.intake.adapters.mongo_submissions import MongoSubmissions
from civicflow.intake.agency_attachments import AgencyAttachments
from civicflow.intake.clarifications import Clarifications
from civicflow.intake.config import CONSUMER_GROUP, DEFAULT_DATABASE, DEFAULT_PORT, SERVICE_NAME, IntakeSettings
from civicflow.intake.domain.catalogue import Catalogue
from civicflow.intake.entrypoints import kafka
from civicflow.intake.entrypoints.agency_attachments_http import AGENCY_PATHS, agency_attachments_router
from civicflow.intake.entrypoints.attachments_http import attachments_router
from civicflow.intake.entrypoints.catalogue_http import catalogue_router
from civicflow.intake.entrypoints.clarification_http import clarification_router
from civicflow.intake.entrypoints.comments_http import comments_router
from civicflow.intake.entrypoints.experience_http import EXPERIENCE_PATH, experience_router
from civicflow.intake.entrypoints.http import submissions_router
from civicflow.intake.entrypoints.information_http import information_router
from civicflow.intake.entrypoints.limits import RequestLimits
from civicflow.intake.entrypoints.openapi import install_openapi
from civicflow.intake.entrypoints.profile_http import profile_router
from civicflow.intake.entrypoints.rate_limit import TokenBuckets
from civicflow.intake.experience import Experience
from civicflow.intake.handlers import Intake
from civicflow.intake.information import Answers
from civicflow.intake.profiles import Profiles
from civicflow.intake.ratings import Ratings
from civicflow.intake.relay import OutboxRelay
from civicflow.intake.retention import Retention
from civicflow.intake.web.apply import Apply, apply_router
from civicflow.intake.web.clarify import clarify_router
from civicflow.intake.web.inform import inform_router
from civicflow.intake.web.pages import Pages, pages_router
from civicflow.intake.web.profile import ProfilePages, profile_pages_router
from civicflow.intake.web.rating import rating_router
from civicflow.intake.web.sign_in import Sessions, sign_in_router
from civicflow.intake.web.status import status_router
from civicflow.shared.app import make_service_app, serve
from civicflow.shared.kafka import KafkaEventPublisher, make_broker
from civicflow.shared.messaging import Consumers
from civicflow.shared.metrics import register_gauges
from civicflow.shared.mongo import Document, make_mongo_client
from civicflow.shared.problems import install_problem_handlers
from civicflow.shared.security.keys import KeyName, keyring
from civicflow.shared.security.sealing import sealer_for
from civicflow.shared.telemetry import configure_logging, configure_tracing


def create_app(settings: IntakeSettings | None = None) -> FastAPI:
    settings = settings or IntakeSettings()
    settings.check_for(settings.runtime.env)
    settings.idp.check_for(settings.runtime.env)  # the provider citizens sign in with: https outside dev
    sealer = sealer_for(
        settings.keys,
        KeyName.APPLICANT,
        KeyName.IDENTITY_TOKEN,
        KeyName.CONTACT,
        KeyName.PROFILE,
        KeyName.CORRESPONDENCE,
    )
    pseudonym_key = keyring(settings.keys, KeyName.PSEUDONYM).current
    tracer_provider = configure_tracing(SERVICE_NAME)
    metrics = CollectorRegistry()  # this app's own (civicflow.shared.metrics)
    broker = make_broker(settings.kafka, SERVICE_NAME, tracer_provider, metrics)
    mongo = make_mongo_client(settings.mongo)
    database = mongo[settings.mongo.database_or(DEFAULT_DATABASE)]
    submissions = MongoSubmissions(database)
    attachments = MongoAttachments(database)
    copies = MongoProfileCopies(database, sealer)
    consumers = Consumers(broker, CONSUMER_GROUP, settings.messaging, database, metrics)
    kafka.register_subscribers(consumers, submissions, copies, sealer)
    relay, ratings, rating_relay = _relays(submissions, database, broker, metrics)
    catalogue = Catalogue.bundled()
    # The recorder of the pages' funnel: POST /v1/experience and the pages' own routes record through it.
    experience = Experience(catalogue, KafkaEventPublisher(broker))
    intake = Intake(submissions, attachments, relay, sealer, settings.web.public_url)
    sign_ins = MongoSignIns(database, sealer)
    profiles = Profiles(copies, submissions, KafkaEventPublisher(broker), sealer)
    clarifications = Clarifications(submissions, KafkaEventPublisher(broker), sealer)
    answers = Answers(submissions, KafkaEventPublisher(broker), sealer)
    # The agencies' keys, from the registry routing follows too; the citizen's pages do not wait for it.
    agency_keys = KafkaAgencyKeys(settings.kafka)

    app = make_service_app(
        title="CivicFlow intake",
        broker=broker,
        mongo=mongo,
        tracer_provider=tracer_provider,
        metrics=metrics,
        background=[
            relay.run,
            rating_relay.run,
            submissions.forget_claims,
            attachments.sweep_unbound,
            experience.run,
            sign_ins.sweep,
            agency_keys.follow,
            Retention(submissions, attachments, MongoRatings(database), settings.retention).run,
        ],
        middleware=_middleware(settings),
    )
    install_problem_handlers(app)
    install_openapi(app, catalogue)
    app.include_router(catalogue_router(catalogue))
    pages = Pages(settings.web.public_url)
    app.include_router(pages_router(catalogue, pages, experience))
    secure_cookies = settings.web.public_url.startswith("https://")
    providers = tuple(OidcProvider(provider, pseudonym_key) for provider in settings.idp.providers)
    sessions = Sessions(sign_ins, providers, settings.web.public_url)
    app.include_router(sign_in_router(sessions, catalogue, pages))
    apply = Apply(pages, catalogue, intake, experience, sessions, secure_cookies, profiles)
    app.include_router(apply_router(apply))
    app.include_router(profile_pages_router(ProfilePages(pages, catalogue, sessions, profiles, secure_cookies)))
    app.include_router(status_router(apply))
    app.include_router(clarify_router(apply, clarifications))
    app.include_router(inform_router(apply, answers))
    app.include_router(rating_router(apply, ratings))
    app.mount("/static", StaticFiles(directory=str(resources.files("civicflow.intake.web").joinpath("static"))))
    app.include_router(submissions_router(catalogue, intake, settings.max_body_bytes))
    app.include_router(clarification_router(clarifications))
    app.include_router(information_router(answers))
    app.include_router(attachments_router(catalogue, attachments))
    app.include_router(agency_attachments_router(AgencyAttachments(agency_keys.current, attachments, submissions)))
    app.include_router(experience_router(experience))
    app.include_router(comments_router(ratings, settings.staff.operator_token))
    app.include_router(profile_router(profiles, sessions, catalogue))
    return app


def _relays(
    submissions: MongoSubmissions, database: AsyncDatabase[Document], broker: KafkaBroker, metrics: CollectorRegistry
) -> tuple[OutboxRelay, Ratings, OutboxRelay]:
    """The submissions' outbox relay, and the citizens' ratings, each kept with its event (an outbox) and published
    by a relay of its own. What each relay has yet to publish is civicflow_outbox_backlog{outbox=...}."""
    relay = OutboxRelay(submissions, KafkaEventPublisher(broker))
    store = MongoRatings(database)
    rating_relay = OutboxRelay(store, KafkaEventPublisher(broker))
    register_gauges(
        metrics,
        "civicflow_outbox_backlog",
        "Events stored with a submission or rating that the outbox relay has not published yet",
        "outbox",
        {"submissions": lambda: relay.backlog, "ratings": lambda: rating_relay.backlog},
    )
    return relay, Ratings(store, rating_relay), rating_relay


def _middleware(settings: IntakeSettings) -> list[Middleware]:
    limit = settings.rate_limit
    buckets = TokenBuckets(limit.per_minute, limit.burst)
    own_buckets = {EXPERIENCE_PATH: TokenBuckets(limit.experience_per_minute, limit.experience_burst)}
    read_buckets = {AGENCY_PATHS: TokenBuckets(limit.agency_per_minute, limit.agency_burst)}
    found = [Middleware(RequestLimits, buckets=buckets, own_buckets=own_buckets, read_buckets=read_buckets)]
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
