"""Creating CivicFlow's topics, including one per agency in the registry, before the services start."""

from aiokafka.admin import AIOKafkaAdminClient, NewTopic

from civicflow.routing.adapters.file_reference_data import load_agency_registry
from civicflow.shared import topics
from civicflow.shared.kafka import client_options
from civicflow.shared.settings import KafkaSettings

PARTITIONS = 3


def agency_ids() -> list[str]:
    return [agency.agency_id for agency in load_agency_registry().agencies()]


def agency_submission_topics() -> list[str]:
    return [topics.agency_submissions(agency_id) for agency_id in agency_ids()]


def all_topic_names() -> list[str]:
    decisions = [topics.agency_decisions(agency_id) for agency_id in agency_ids()]
    agency_topics = agency_submission_topics() + decisions
    return [*topics.INTERNAL_TOPICS, *topics.PUBLIC_TOPICS, *topics.retry_topics(), *agency_topics]


async def ensure_topics(kafka: KafkaSettings, replication_factor: int = 1) -> list[str]:
    admin = AIOKafkaAdminClient(**client_options(kafka))
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        missing = [name for name in all_topic_names() if name not in existing]
        if missing:
            await admin.create_topics(
                [NewTopic(name, num_partitions=PARTITIONS, replication_factor=replication_factor) for name in missing]
            )
        return missing
    finally:
        await admin.close()
