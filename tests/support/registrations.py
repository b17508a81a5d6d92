"""Each service's subscriptions, registered on a broker that is never started (for contract tests)."""

from collections.abc import Callable
from typing import Any

from faststream.kafka import KafkaBroker
from prometheus_client import CollectorRegistry
from pymongo import AsyncMongoClient

from civicflow.identity.entrypoints import kafka as identity_kafka
from civicflow.insights.entrypoints import kafka as insights_kafka
from civicflow.intake.entrypoints import kafka as intake_kafka
from civicflow.notify.entrypoints import kafka as notify_kafka
from civicflow.routing.entrypoints import kafka as routing_kafka
from civicflow.shared import topics
from civicflow.shared.messaging import Consumers
from civicflow.shared.settings import MessagingSettings

UNUSED: Any = None  # registration only records the subscriptions; the dependencies are never called here

REGISTRATIONS: dict[str, Callable[[Consumers], None]] = {
    "intake": lambda consumers: intake_kafka.register_subscribers(consumers, UNUSED, UNUSED, UNUSED),
    "identity": lambda consumers: identity_kafka.register_subscribers(consumers, UNUSED, UNUSED),
    "routing": lambda consumers: routing_kafka.register_subscribers(consumers, UNUSED, UNUSED),
    "notify": lambda consumers: notify_kafka.register_subscribers(consumers, UNUSED, UNUSED, UNUSED, UNUSED),
    "insights": lambda consumers: insights_kafka.register_subscribers(consumers, UNUSED, UNUSED),
}


def registered(service: str) -> Consumers:
    """The service's consumers, registered on a broker that is never started."""
    group = topics.ConsumerGroup[service.upper()]
    never_used: Any = AsyncMongoClient(connect=False)["unused"]  # a client that never connects
    consumers = Consumers(KafkaBroker(apply_types=False), group, MessagingSettings(), never_used, CollectorRegistry())
    REGISTRATIONS[service](consumers)
    return consumers


def subscribed_topics(service: str) -> set[str]:
    """The topics each subscriber reads; for one subscribed by pattern, the family's template."""
    broker = registered(service).broker
    return {
        name
        for subscriber in broker.subscribers
        for name in (
            [subscriber.pattern.template] if subscriber.pattern else subscriber.topic_names  # type: ignore[attr-defined]
        )
    }
