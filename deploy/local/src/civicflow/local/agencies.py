"""`civicflow agencies publish FILE`: a new version of the agency registry, validated whole and published as one
record on topics.AGENCY_REGISTRY, which every routing instance follows (routing.adapters.kafka_registry): the next
application is routed by it, without a restart. `make up` publishes the local registry the same way.

Before the record: the topics of every agency it names and, on the local broker, their principals and ACLs (an
external broker's are its operator's, as in provisioning), so that routing can deliver as soon as it reads the
version. An agency with applications in flight is not retired (registry_change)."""

import asyncio
import json
import sys
from dataclasses import dataclass
from pathlib import Path

from aiokafka import AIOKafkaProducer
from pymongo import AsyncMongoClient

from civicflow.local.agency_keys import local_registry_document
from civicflow.local.kafka_access import add_access
from civicflow.local.layout import Layout
from civicflow.local.registry_change import RegistryChange, RegistryRefused, refuse_retiring_in_flight
from civicflow.local.topics_admin import PARTITIONS, agency_topic_names, create_missing
from civicflow.routing.adapters.kafka_registry import read_current
from civicflow.routing.adapters.mongo_deliveries import COLLECTION as DELIVERIES
from civicflow.routing.config import DEFAULT_DATABASE as ROUTING_DATABASE
from civicflow.routing.domain.registry import AgencyRegistry
from civicflow.shared import topics
from civicflow.shared.kafka import client_options
from civicflow.shared.security.access import agency_grants, agency_principal, routing_grants
from civicflow.shared.settings import KafkaSettings


@dataclass(frozen=True)
class Published:
    change: RegistryChange
    agencies: int
    offset: int | None  # None: the version on the topic is this one already; nothing was written

    def describe(self) -> str:
        if self.offset is None:
            return f"the agency registry ({self.agencies} agencies) is current already; nothing published"
        published = f"published the agency registry ({self.agencies} agencies) at offset {self.offset}"
        return f"{published}: {self.change.describe()}"


async def publish_registry(layout: Layout, text: str, partitions: int = PARTITIONS) -> Published:
    """Raises routing's ReferenceDataError for a registry that is not valid, RegistryRefused for one that may not
    replace the current version."""
    registry = AgencyRegistry.from_json(text)
    current = await read_current(layout.kafka_admin)
    change = RegistryChange.between(current, registry)
    if change.retired:
        refuse_retiring_in_flight(change, await in_flight(layout.mongo_uri, change.retired))
    agency_ids = [agency.agency_id for agency in registry.agencies()]
    await create_missing(layout.kafka_admin, agency_topic_names(agency_ids), partitions)
    if layout.external_kafka is None:
        await grant_agencies(layout, agency_ids)
    if current is not None and not change:
        return Published(change, len(agency_ids), None)
    return Published(change, len(agency_ids), await produce(layout.kafka_admin, text))


async def in_flight(mongo_uri: str, agency_ids: tuple[str, ...]) -> dict[str, int]:
    """How many applications each agency has not yet answered (routing's deliveries, open until it decides)."""
    client: AsyncMongoClient[dict[str, object]] = AsyncMongoClient(mongo_uri)
    try:
        deliveries = client[ROUTING_DATABASE][DELIVERIES]
        return {
            agency_id: await deliveries.count_documents({"agency_id": agency_id, "open": True})
            for agency_id in agency_ids
        }
    finally:
        await client.close()


async def grant_agencies(layout: Layout, agency_ids: list[str]) -> None:
    """Each agency's principal and ACLs, and routing's to deliver to it; what is there already stays."""
    passwords = {principal: layout.secrets.kafka_password(principal) for principal in map(agency_principal, agency_ids)}
    grants = [grant for agency_id in agency_ids for grant in (*agency_grants(agency_id), *routing_grants(agency_id))]
    await add_access(layout.kafka_bootstrap, layout.secrets.kafka_admin_password(), passwords, grants)


async def produce(kafka: KafkaSettings, text: str) -> int:
    """The version as one record (acks=all, idempotent); its offset."""
    producer = AIOKafkaProducer(
        **client_options(kafka),
        acks="all",
        enable_idempotence=True,
        max_request_size=topics.AGENCY_REGISTRY_MAX_BYTES,
    )
    await producer.start()
    try:
        sent = await producer.send_and_wait(
            topics.AGENCY_REGISTRY, text.encode("utf-8"), key=topics.AGENCY_REGISTRY_KEY.encode()
        )
        offset: int = sent.offset
        return offset
    finally:
        await producer.stop()


def local_registry_text(layout: Layout) -> str:
    """The bundled registry with the local agencies' public keys: what `make up` publishes."""
    return json.dumps(local_registry_document(layout), ensure_ascii=False)


def run_publish(layout: Layout, path: Path, partitions: int) -> int:
    """The command: 2 for a file that is no valid registry, 1 when refused, else 0; one line either way."""
    try:
        text = path.read_text("utf-8")
        AgencyRegistry.from_json(text)
    except (OSError, ValueError) as error:  # ReferenceDataError and UnicodeDecodeError are ValueErrors
        print(f"error: {path}: {error}", file=sys.stderr)
        return 2
    try:
        published = asyncio.run(publish_registry(layout, text, partitions))
    except RegistryRefused as refused:
        print(f"error: {refused}", file=sys.stderr)
        return 1
    print(published.describe())
    return 0
