"""Personal data on internal topics: after applications have travelled the whole pipeline (verified and routed,
rejected, unroutable), the raw records of every internal topic, retry topic and the dead letters hold none of
the applicants' names, e-mail addresses, birth dates, street names or identity tokens. The agency's own topic
does hold them (until its end-to-end encryption): the proof that the scan would find them."""

import asyncio
import time
from typing import Any

import httpx
from aiokafka import AIOKafkaConsumer, TopicPartition

from civicflow.local.idp import SigningKey
from civicflow.local.layout import Layout
from civicflow.local.sample import ERIKA, application
from civicflow.local.topics_admin import PARTITIONS
from civicflow.shared import topics
from civicflow.shared.kafka import client_options
from tests.support.journeys import post, until_settled

# Names nobody else in the tests uses, so a match can only come from these applications.
ZORAIDA = ERIKA | {
    "given_name": "Zoraida",
    "family_name": "Quenstedt",
    "birth_date": "1971-03-09",
    "email": "zoraida.quenstedt@example.org",
    "address": {"street": "Wacholderpfad 17", "postal_code": "51147", "city": "Köln"},
}
ISIDOR = ZORAIDA | {
    "given_name": "Isidor",
    "family_name": "Brackwasser",
    "birth_date": "1958-11-30",
    "email": "isidor.brackwasser@example.org",
    "address": {"street": "Schlehdornstieg 4", "postal_code": "24937", "city": "Flensburg"},
}


def personal_data(body: dict[str, Any]) -> list[str]:
    applicant = body["applicant"]
    street_name = applicant["address"]["street"].rsplit(" ", 1)[0]
    token_payload = body["identity_token"].split(".")[1]
    return [
        applicant["given_name"],
        applicant["family_name"],
        applicant["birth_date"],
        applicant["email"],
        street_name,
        body["identity_token"],
        token_payload,
    ]


async def raw_records(layout: Layout, names: list[str]) -> bytes:
    """Every record of the topics, key, headers and value, as the broker keeps them."""
    consumer = AIOKafkaConsumer(**client_options(layout.kafka_admin), enable_auto_commit=False)
    await consumer.start()
    try:
        partitions = [TopicPartition(name, partition) for name in names for partition in range(PARTITIONS)]
        consumer.assign(partitions)
        await consumer.seek_to_beginning(*partitions)
        ends = await consumer.end_offsets(partitions)
        seen = bytearray()
        deadline = time.monotonic() + 60
        while [partition for partition in partitions if await consumer.position(partition) < ends[partition]]:
            assert time.monotonic() < deadline, "could not read the topics to their end"
            for records in (await consumer.getmany(timeout_ms=500)).values():
                for record in records:
                    seen += (record.key or b"") + (record.value or b"")
                    seen += b"".join(name.encode() + value for name, value in record.headers)
        return bytes(seen)
    finally:
        await consumer.stop()


async def test_no_personal_data_in_clear_on_any_internal_topic(stack: Layout, tmp_path: Any) -> None:
    provider = SigningKey.load_or_create(stack.idp_state_dir)
    forger = SigningKey.load_or_create(tmp_path / "forger")
    routed = application(provider, stack.idp_issuer, ZORAIDA)
    unroutable = application(provider, stack.idp_issuer, ISIDOR)
    rejected = application(forger, stack.idp_issuer, ZORAIDA | {"given_name": "Wenzeslaus"})
    async with httpx.AsyncClient(base_url=stack.intake_url, timeout=10.0) as client:
        journeys = [
            await post(client, routed, "routed"),
            await post(client, unroutable, "unroutable"),
            await post(client, rejected, "rejected"),
        ]
        settled = await asyncio.gather(*(until_settled(client, journey) for journey in journeys))
        assert [status["status"] for status in settled] == [journey.expect for journey in journeys]

    internal = [*topics.INTERNAL_TOPICS, *topics.retry_topics(), topics.DEAD_LETTER]
    everything = await raw_records(stack, internal)
    for body in (routed, unroutable, rejected):
        found = [item for item in personal_data(body) if item.encode() in everything]
        assert found == [], f"personal data in clear on internal topics: {len(found)} item(s)"

    agency = await raw_records(stack, [topics.agency_submissions("koeln-gewerbe")])
    for item in ("Zoraida", "Quenstedt", "1971-03-09", "Wacholderpfad"):
        assert item.encode() in agency, "the agency's topic should hold the application it is responsible for"
    # and no more than its service needs: CivicFlow, not the agency, writes to the citizen
    assert b"zoraida.quenstedt@example.org" not in agency
    assert routed["identity_token"].encode() not in agency  # the token went no further than identity
