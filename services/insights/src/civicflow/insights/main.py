"""Insights' composition root."""

from functools import partial

from fastapi import FastAPI
from prometheus_client import CollectorRegistry

from civicflow.insights.adapters.mongo_applications import MongoApplications
from civicflow.insights.adapters.mongo_days import MongoDays
from civicflow.insights.adapters.retention import sweep
from civicflow.insights.config import CONSUMER_GROUP, DEFAULT_DATABASE, DEFAULT_PORT, SERVICE_NAME, InsightsSettings
from civicflow.insights.entrypoints import kafka
from civicflow.insights.entrypoints.http import insights_router
from civicflow.insights.entrypoints.operator import operator_only
from civicflow.insights.reports import Targets
from civicflow.insights.web.pages import insights_pages_router
from civicflow.shared.app import make_service_app, serve
from civicflow.shared.kafka import make_broker
from civicflow.shared.messaging import Consumers
from civicflow.shared.mongo import make_mongo_client
from civicflow.shared.problems import INVALID_PARAMETERS, install_problem_handlers
from civicflow.shared.telemetry import configure_logging, configure_tracing


def create_app(settings: InsightsSettings | None = None) -> FastAPI:
    settings = settings or InsightsSettings()
    settings.check_for(settings.runtime.env)
    tracer_provider = configure_tracing(SERVICE_NAME)
    metrics = CollectorRegistry()  # this app's own (civicflow.shared.metrics)
    broker = make_broker(settings.kafka, SERVICE_NAME, tracer_provider, metrics)
    mongo = make_mongo_client(settings.mongo)
    database = mongo[settings.mongo.database_or(DEFAULT_DATABASE)]
    days, applications = MongoDays(database), MongoApplications(database)
    consumers = Consumers(broker, CONSUMER_GROUP, settings.messaging, database, metrics)
    kafka.register_subscribers(consumers, days, applications)
    app = make_service_app(
        title="CivicFlow insights",
        broker=broker,
        mongo=mongo,
        tracer_provider=tracer_provider,
        metrics=metrics,
        background=[consumers.sweep, partial(sweep, days, applications)],
    )
    install_problem_handlers(app, INVALID_PARAMETERS)
    targets = Targets(settings.api.target_days, settings.api.target_days_by_service)
    app.include_router(insights_router(days, applications, targets, operator_only(settings.api.operator_token)))
    operator_page = operator_only(settings.api.operator_token, page=True)
    trace_store = settings.api.trace_store_url
    app.include_router(insights_pages_router(days, applications, targets, operator_page, trace_store))
    return app


def main() -> None:
    configure_logging()
    settings = InsightsSettings()
    serve(create_app(settings), settings.http.host, settings.http.port_or(DEFAULT_PORT))
