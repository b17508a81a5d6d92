"""Only those who should: the broker and the store refuse whoever has no credentials, the wrong ones, or
another's, and each service or agency reaches only its own topics, consumer groups and database."""

import asyncio
import time
from typing import Any

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.errors import KafkaError, TopicAuthorizationFailedError
from confluent_kafka import Consumer
from confluent_kafka import KafkaError as ConfluentError
from pydantic import SecretStr
from pymongo import AsyncMongoClient
from pymongo.errors import PyMongoError

from civicflow.local.layout import Layout
from civicflow.shared import topics
from civicflow.shared.kafka import SASL_MECHANISM, client_options
from civicflow.shared.security.access import agency_principal
from civicflow.shared.settings import KafkaSettings
from civicflow.shared.topics import ConsumerGroup

REFUSED_WITHIN_SECONDS = 30


@pytest.fixture
def local(stack: Layout) -> Layout:
    if stack.external_kafka or stack.external_mongo:
        pytest.skip("credentials of an external broker or store are its operator's")
    return stack


def as_principal(layout: Layout, principal: str) -> KafkaSettings:
    return layout.kafka_as(principal)


async def produce(kafka: KafkaSettings, topic: str) -> None:
    producer = AIOKafkaProducer(**client_options(kafka), request_timeout_ms=5000, enable_idempotence=True, acks="all")
    try:
        await asyncio.wait_for(producer.start(), REFUSED_WITHIN_SECONDS)
        await asyncio.wait_for(producer.send_and_wait(topic, b'{"forged": true}', key=b"x"), REFUSED_WITHIN_SECONDS)
    finally:
        await producer.stop()


async def connect_consumer(kafka: KafkaSettings, topic: str) -> None:
    """Start a consumer of `topic`: it asks the broker for the cluster's metadata, as every reader must first."""
    consumer = AIOKafkaConsumer(topic, **client_options(kafka), request_timeout_ms=5000)
    try:
        await asyncio.wait_for(consumer.start(), REFUSED_WITHIN_SECONDS)
    finally:
        await consumer.stop()


def read(kafka: KafkaSettings, topic: str, group_id: str) -> str:
    """What the broker answers when `kafka`'s principal reads `topic` from its start as a member of `group_id`:
    "ok", or the name of its error. (confluent-kafka, which reports the broker's refusal; aiokafka only logs it.)"""
    assert kafka.sasl_password is not None
    consumer = Consumer(
        {
            "bootstrap.servers": kafka.bootstrap_servers,
            "security.protocol": kafka.security_protocol,
            "sasl.mechanism": SASL_MECHANISM,
            "sasl.username": kafka.sasl_username,
            "sasl.password": kafka.sasl_password.get_secret_value(),
            "group.id": group_id,
            "enable.auto.commit": False,
            "enable.partition.eof": True,
            "auto.offset.reset": "earliest",
        }
    )
    try:
        consumer.subscribe([topic])
        deadline = time.monotonic() + REFUSED_WITHIN_SECONDS
        while time.monotonic() < deadline:
            message = consumer.poll(1.0)
            if message is None:
                continue
            error = message.error()
            return "ok" if error is None or error.code() == ConfluentError._PARTITION_EOF else str(error.name())
        return "no answer"
    finally:
        consumer.close()


async def test_without_credentials_the_broker_refuses_to_take_or_give_anything(local: Layout) -> None:
    anonymous = KafkaSettings(bootstrap_servers=local.kafka_bootstrap)
    with pytest.raises((KafkaError, TimeoutError)):
        await produce(anonymous, topics.IDENTITY_VERIFIED)
    with pytest.raises(KafkaError):  # refused at the first request, before any record could be waited for
        await connect_consumer(anonymous, topics.SUBMISSION_RECEIVED)
    wrong = local.kafka_as(str(ConsumerGroup.IDENTITY)).model_copy(
        update={"sasl_password": SecretStr("not-the-password")}
    )
    with pytest.raises((KafkaError, TimeoutError)):
        await produce(wrong, topics.IDENTITY_VERIFIED)


async def test_another_services_credentials_cannot_forge_or_read_its_events(local: Layout) -> None:
    for principal in (ConsumerGroup.NOTIFY, ConsumerGroup.ROUTING, ConsumerGroup.INTAKE):
        with pytest.raises(TopicAuthorizationFailedError):
            await produce(local.kafka_as(str(principal)), topics.IDENTITY_VERIFIED)
    routing = local.kafka_as(str(ConsumerGroup.ROUTING))
    group = topics.group_id(ConsumerGroup.ROUTING, "probe")  # a consumer group of its own
    assert await asyncio.to_thread(read, routing, topics.SUBMISSION_RECEIVED, group) == "TOPIC_AUTHORIZATION_FAILED"
    # ...while what a service may do, it can: routing reads the verified submissions.
    assert await asyncio.to_thread(read, routing, topics.IDENTITY_VERIFIED, group) == "ok"


async def test_an_agency_reads_its_own_topic_and_no_other(local: Layout) -> None:
    cologne = local.kafka_as(agency_principal("koeln-gewerbe"))
    own, other = topics.agency_submissions("koeln-gewerbe"), topics.agency_submissions("berlin-gewerbe")
    assert await asyncio.to_thread(read, cologne, own, "agency.koeln-gewerbe.inbox") == "ok"
    assert await asyncio.to_thread(read, cologne, other, "agency.koeln-gewerbe.inbox") == "TOPIC_AUTHORIZATION_FAILED"
    # Nor in another agency's consumer group.
    refused = await asyncio.to_thread(read, cologne, own, "agency.berlin-gewerbe.inbox")
    assert refused == "GROUP_AUTHORIZATION_FAILED"


async def first_document(uri: str, database: str, write: bool = False) -> Any:
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(uri, serverSelectionTimeoutMS=5000)
    try:
        probes = client[database]["access_probe"]
        if write:
            await probes.insert_one({"written_by": uri.split("@")[0].split(":")[1].strip("/")})
        return await probes.find_one({})
    finally:
        await client.close()


async def test_a_service_opens_its_own_database_and_no_other(local: Layout) -> None:
    intake, notify = local.store_uri("civicflow_intake"), local.store_uri("civicflow_notify")
    assert await first_document(intake, "civicflow_intake", write=True) is not None  # its own: read and written
    for stranger in (notify, local.store_uri("civicflow_routing")):
        with pytest.raises(PyMongoError):
            await first_document(stranger, "civicflow_intake")
        with pytest.raises(PyMongoError):
            await first_document(stranger, "civicflow_intake", write=True)
    anonymous = f"mongodb://127.0.0.1:{local.ports.mongo}/"
    with pytest.raises(PyMongoError):
        await first_document(anonymous, "civicflow_intake")
    wrong = f"mongodb://civicflow_intake:not-the-password@127.0.0.1:{local.ports.mongo}/?authMechanism=PLAIN"
    with pytest.raises(PyMongoError):
        await first_document(wrong, "civicflow_intake")
