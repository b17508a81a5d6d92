"""Creating CivicFlow's topics, including one per agency in the registry, before the services start."""

from aiokafka.admin import AIOKafkaAdminClient, NewTopic

from civicflow.routing.adapters.file_reference_data import load_agency_registry
from civicflow.shared import topics

PARTITIONS = 3


def all_topic_names() -> list[str]:
    agency_topics = [topics.agency_submissions(agency.agency_id) for agency in load_agency_registry().agencies()]
    return [*topics.INTERNAL_TOPICS, *topics.PUBLIC_TOPICS, *topics.retry_topics(), *agency_topics]


async def ensure_topics(bootstrap_servers: str, replication_factor: int = 1) -> list[str]:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap_servers)
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
