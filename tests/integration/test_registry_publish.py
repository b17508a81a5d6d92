"""`civicflow agencies publish` on the real stack: the registry topic is compacted and holds the local registry;
a new agency gets its topics with the partitions asked for and may read them; a version that retires an agency with
an application in flight is refused and changes nothing."""

import json
from collections.abc import AsyncIterator
from uuid import uuid4

import pytest
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.admin.config_resource import ConfigResource, ConfigResourceType
from civicflow_agency import wire

from civicflow.local.agencies import publish_registry
from civicflow.local.layout import Layout
from civicflow.local.registry_change import RegistryChange, RegistryRefused
from civicflow.local.tail import open_tail
from civicflow.local.topics_admin import agency_ids
from civicflow.routing.domain.registry import AgencyRegistry
from civicflow.shared import topics
from civicflow.shared.kafka import client_options
from civicflow.shared.security.access import agency_principal
from tests.support.registry import deliveries, document, published, until_routing_applied

pytestmark = pytest.mark.integration

NEW = "test-neues-amt"


@pytest.fixture
async def original(stack: Layout) -> AsyncIterator[AgencyRegistry]:
    """The version the stack published; published again afterwards, whatever the test did."""
    registry = await published(stack)
    yield registry
    if await published(stack) != registry:
        restored = await publish_registry(stack, json.dumps(document(registry)))
        await until_routing_applied(stack, restored.offset)


async def test_the_registry_topic_is_compacted_and_holds_the_local_registry(
    stack: Layout, original: AgencyRegistry
) -> None:
    assert sorted(agency.agency_id for agency in original.agencies()) == sorted(agency_ids())
    admin = AIOKafkaAdminClient(**client_options(stack.kafka_admin))
    await admin.start()
    try:
        [described] = await admin.describe_configs([ConfigResource(ConfigResourceType.TOPIC, topics.AGENCY_REGISTRY)])
    finally:
        await admin.close()
    configs = {name: value for name, value, *_ in described.resources[0][4]}
    assert configs["cleanup.policy"] == "compact"
    assert configs["max.message.bytes"] == str(topics.AGENCY_REGISTRY_MAX_BYTES)


async def test_publishing_the_current_version_again_writes_nothing(stack: Layout, original: AgencyRegistry) -> None:
    again = await publish_registry(stack, json.dumps(document(original)))
    assert again.offset is None and not again.change


async def test_a_new_agency_gets_its_topics_with_the_partitions_asked_for_and_may_read_them(
    stack: Layout, original: AgencyRegistry
) -> None:
    registry = document(original)
    leverkusen = "05316000"  # where no agency handles the business registration
    new = {"agency_id": NEW, "name": "Neues Amt", "services": ["99050012104000"], "jurisdiction": [leverkusen]}
    registry["agencies"].append(new | {"public_keys": [wire.new_key().as_dict(private=False)]})
    result = await publish_registry(stack, json.dumps(registry), partitions=2)
    assert result.change == RegistryChange(added=(NEW,))
    await until_routing_applied(stack, result.offset)
    # The agency's own principal reads its topic: it was given a password and its ACLs.
    consumer = await open_tail(stack.kafka_as(agency_principal(NEW)), topics.agency_submissions(NEW))
    try:
        assert len(consumer.assignment()) == 2
    finally:
        await consumer.stop()


async def test_retiring_an_agency_with_an_application_in_flight_is_refused(
    stack: Layout, original: AgencyRegistry
) -> None:
    client, collection = deliveries(stack)
    delivery = f"test-{uuid4()}"
    await collection.insert_one({"_id": delivery, "agency_id": "koeln-standesamt", "open": True})
    try:
        registry = document(original)
        registry["agencies"] = [a for a in registry["agencies"] if a["agency_id"] != "koeln-standesamt"]
        with pytest.raises(RegistryRefused, match=r"koeln-standesamt has [1-9][0-9]* in flight"):
            await publish_registry(stack, json.dumps(registry))
        assert await published(stack) == original
    finally:
        await collection.delete_one({"_id": delivery})
        await client.close()
