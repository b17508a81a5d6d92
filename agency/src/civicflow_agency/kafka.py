"""The thin Kafka side of the kit: connect as the agency's principal; for the listener, fetch, hand each record to
the Inbox, commit its offset when the Inbox is done with it; for `decide`, the topic its decisions go to."""

import asyncio
import ssl
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

from aiokafka import AIOKafkaConsumer, ConsumerRecord, TopicPartition
from aiokafka.helpers import create_ssl_context

from civicflow_agency import wire
from civicflow_agency.inbox import Commit, Inbox, Sleep
from civicflow_agency.records import Record

# As CivicFlow names them: the topic an agency reads, and the consumer groups its principal may use (any id
# beginning with `agency.<agency-id>.`).
SASL_MECHANISM: Final = "SCRAM-SHA-512"


def submissions_topic(agency_id: str) -> str:
    if not wire.AGENCY_ID.match(agency_id):
        raise ValueError(f"agency id {agency_id!r}: lower-case letters, digits and dashes")
    return wire.SUBMISSIONS_TOPIC.format(agency_id=agency_id)


def decisions_topic(agency_id: str) -> str:
    submissions_topic(agency_id)  # the same check of the id
    return wire.DECISIONS_TOPIC.format(agency_id=agency_id)


def inbox_group(agency_id: str) -> str:
    submissions_topic(agency_id)
    return f"agency.{agency_id}.inbox"


@dataclass(frozen=True)
class Connection:
    """How the agency reaches CivicFlow's brokers: SASL/SCRAM-SHA-512 as `agency-<agency-id>`, over TLS."""

    bootstrap_servers: str
    security_protocol: str = "SASL_SSL"
    sasl_username: str | None = None
    sasl_password: str | None = field(default=None, repr=False)
    ca_file: Path | None = None

    def options(self) -> dict[str, Any]:
        options: dict[str, Any] = {"bootstrap_servers": self.bootstrap_servers}
        if self.security_protocol == "PLAINTEXT":
            return options
        if not (self.sasl_username and self.sasl_password):
            raise ValueError(f"{self.security_protocol} needs a SASL user name and password")
        context: ssl.SSLContext | None = None
        if self.security_protocol == "SASL_SSL":
            context = create_ssl_context(cafile=str(self.ca_file) if self.ca_file else None)
        return options | {
            "security_protocol": self.security_protocol,
            "sasl_mechanism": SASL_MECHANISM,
            "sasl_plain_username": self.sasl_username,
            "sasl_plain_password": self.sasl_password,
            "ssl_context": context,
        }


async def open_consumer(connection: Connection, agency_id: str, group_id: str | None = None) -> AIOKafkaConsumer:
    consumer = AIOKafkaConsumer(
        submissions_topic(agency_id),
        **connection.options(),
        group_id=group_id or inbox_group(agency_id),
        # Committed by hand after each record (Inbox.take); a new group starts at the first application kept.
        enable_auto_commit=False,
        auto_offset_reset="earliest",
        retry_backoff_ms=500,
    )
    await consumer.start()
    return consumer


def committer(consumer: AIOKafkaConsumer) -> Commit:
    async def commit(record: Record) -> None:
        await consumer.commit({TopicPartition(record.topic, record.partition): record.offset + 1})

    return commit


def pausing_sleep(consumer: AIOKafkaConsumer) -> Sleep:
    """Waiting between handler attempts with every partition paused, still polling: the consumer stays in its group
    (max.poll.interval.ms) however long the agency's system is away, and fetches nothing meanwhile."""

    async def sleep(seconds: float) -> None:
        partitions = consumer.assignment()
        consumer.pause(*partitions)
        try:
            await consumer.getmany(timeout_ms=int(seconds * 1000))
        finally:  # a rebalance meanwhile may have taken some away; the ones it gave are not paused
            consumer.resume(*(partition for partition in partitions if partition in consumer.assignment()))

    return sleep


def as_record(message: ConsumerRecord[bytes, bytes]) -> Record:
    return Record(message.topic, message.partition, message.offset, message.key, message.value, tuple(message.headers))


async def consume(consumer: AIOKafkaConsumer, inbox: Inbox, stop: asyncio.Event, commit: Commit | None = None) -> None:
    """Until `stop` is set: each fetched record through the Inbox, one at a time, in order within its partition."""
    commit = commit or committer(consumer)
    while not stop.is_set():
        batches = await consumer.getmany(timeout_ms=500)
        for messages in batches.values():
            for message in messages:
                await inbox.take(as_record(message), commit)
                if stop.is_set():
                    return
