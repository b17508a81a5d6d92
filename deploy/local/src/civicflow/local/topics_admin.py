"""Creating CivicFlow's topics before the services start; an agency's own topics are made when a registry naming it
is published (civicflow.local.agencies)."""

from collections.abc import Iterable, Mapping
from typing import Any

from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import TopicAlreadyExistsError, for_code

from civicflow.routing.adapters.file_reference_data import load_agency_registry
from civicflow.shared import topics
from civicflow.shared.kafka import client_options
from civicflow.shared.settings import KafkaSettings

PARTITIONS = 3


def agency_ids() -> list[str]:
    """The agencies of the bundled registry (the template `make up` publishes, with the local keys)."""
    return [agency.agency_id for agency in load_agency_registry().agencies()]


def agency_submission_topics() -> list[str]:
    return [topics.agency_submissions(agency_id) for agency_id in agency_ids()]


def agency_topic_names(ids: Iterable[str]) -> list[str]:
    """Each agency's submissions topic, then each one's decisions topic."""
    listed = list(ids)
    return [*map(topics.agency_submissions, listed), *map(topics.agency_decisions, listed)]


def platform_topic_names() -> list[str]:
    """The topics that exist whichever agencies are registered."""
    return [*topics.INTERNAL_TOPICS, *topics.PUBLIC_TOPICS, *topics.retry_topics(), topics.AGENCY_REGISTRY]


def all_topic_names() -> list[str]:
    """With the bundled agencies' topics: what the set-up script of compose and Kubernetes makes."""
    return [*platform_topic_names(), *agency_topic_names(agency_ids())]


# Topics that are not plain event logs: their partitions and configuration.
SPECIAL: Mapping[str, tuple[int, Mapping[str, str]]] = {
    topics.AGENCY_REGISTRY: (topics.AGENCY_REGISTRY_PARTITIONS, topics.AGENCY_REGISTRY_CONFIG),
}


def new_topic(name: str, replication_factor: int, partitions: int = PARTITIONS) -> NewTopic:
    partitions, config = SPECIAL.get(name, (partitions, {}))
    return NewTopic(name, partitions, replication_factor, topic_configs=dict(config))


async def create_missing(
    kafka: KafkaSettings, names: Iterable[str], partitions: int = PARTITIONS, replication_factor: int = 1
) -> list[str]:
    """Creates those of `names` that do not exist yet; returns them."""
    admin = AIOKafkaAdminClient(**client_options(kafka))
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        missing = [name for name in names if name not in existing]
        if missing:
            response = await admin.create_topics([new_topic(name, replication_factor, partitions) for name in missing])
            _raise_refusal(response.topic_errors)
        return missing
    finally:
        await admin.close()


async def ensure_topics(kafka: KafkaSettings, replication_factor: int = 1) -> list[str]:
    return await create_missing(kafka, platform_topic_names(), replication_factor=replication_factor)


def _raise_refusal(topic_errors: Iterable[tuple[Any, ...]]) -> None:
    """aiokafka returns the broker's answer per topic without raising; one made meanwhile by another is fine."""
    for name, code, *message in topic_errors:
        if code not in (0, TopicAlreadyExistsError.errno):
            raise for_code(code)(f"topic {name}: {' '.join(map(str, message))}")
