"""Personal data on internal topics: after applications have travelled the whole pipeline (verified and routed,
rejected, unroutable), the raw records of every internal topic, retry topic and the dead letters hold none of
the applicants' names, e-mail addresses, birth dates, street names or identity tokens. The agency's own topic
holds them encrypted to the agency's key: none in clear, all of them once decrypted with that agency's key."""

import asyncio
import json
import time
from typing import Any

import httpx
from aiokafka import AIOKafkaConsumer, ConsumerRecord, TopicPartition

from civicflow.local.idp import SigningKey
from civicflow.local.layout import Layout
from civicflow.local.sample import ERIKA, application
from civicflow.local.topics_admin import PARTITIONS
from civicflow.shared import topics
from civicflow.shared.kafka import client_options
from tests.support.agencies import open_record
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


async def records(layout: Layout, names: list[str]) -> list[ConsumerRecord[bytes, bytes]]:
    """Every record of the topics, as the broker keeps them."""
    consumer = AIOKafkaConsumer(**client_options(layout.kafka_admin), enable_auto_commit=False)
    await consumer.start()
    try:
        partitions = [TopicPartition(name, partition) for name in names for partition in range(PARTITIONS)]
        consumer.assign(partitions)
        await consumer.seek_to_beginning(*partitions)
        ends = await consumer.end_offsets(partitions)
        seen: list[ConsumerRecord[bytes, bytes]] = []
        deadline = time.monotonic() + 60
        while [partition for partition in partitions if await consumer.position(partition) < ends[partition]]:
            assert time.monotonic() < deadline, "could not read the topics to their end"
            for batch in (await consumer.getmany(timeout_ms=500)).values():
                seen += batch
        return seen
    finally:
        await consumer.stop()


async def raw_records(layout: Layout, names: list[str]) -> bytes:
    """Every record of the topics, key, headers and value, as one run of bytes."""
    seen = bytearray()
    for record in await records(layout, names):
        seen += (record.key or b"") + (record.value or b"")
        seen += b"".join(name.encode() + value for name, value in record.headers)
    return bytes(seen)


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

    # The agency's own topic: none of it in clear either (encrypted to the agency's key), all of what its service
    # needs once decrypted with that agency's key, and no more: CivicFlow, not the agency, writes to the citizen.
    gewerbe = await records(stack, [topics.agency_submissions("koeln-gewerbe")])
    raw = await raw_records(stack, [topics.agency_submissions("koeln-gewerbe")])
    found = [item for item in personal_data(routed) if item.encode() in raw]
    assert found == [], f"personal data in clear on the agency topic: {len(found)} item(s)"
    [value] = [record.value for record in gewerbe if record.key == journeys[0].submission_id.encode()]
    opened = json.dumps(open_record(value, stack, "koeln-gewerbe"), ensure_ascii=False)
    for item in ("Zoraida", "Quenstedt", "1971-03-09", "Wacholderpfad"):
        assert item in opened, "the agency should read the application it is responsible for"
    assert "zoraida.quenstedt@example.org" not in opened
    assert routed["identity_token"] not in opened  # the token went no further than identity
