"""The citizen id an agency sees is its own: one person's applications carry the same id at one agency and
unrelated ids at two, none of them identity's; the identity token never reaches an agency topic, and of the
applicant only what the service needs does."""

import json
import time
from typing import Any

import httpx
import pytest
from aiokafka import AIOKafkaConsumer

from civicflow.local.idp import SigningKey
from civicflow.local.layout import Layout
from civicflow.local.sample import application
from civicflow.local.tail import open_tail
from civicflow.shared import topics
from tests.support.agencies import open_record
from tests.support.journeys import post, until_settled

pytestmark = pytest.mark.e2e

GEWERBE, STANDESAMT = topics.agency_submissions("koeln-gewerbe"), topics.agency_submissions("koeln-standesamt")
AGENCIES = {GEWERBE: "koeln-gewerbe", STANDESAMT: "koeln-standesamt"}
BIRTH_CERTIFICATE = {
    "service_id": "99027002012000",
    "form": {"birth_date": "1964-08-12", "birth_place": "Köln", "copies": 1},
}


async def records_of(
    consumer: AIOKafkaConsumer, ids: set[str], count: int, stack: Layout
) -> list[tuple[str, dict[str, Any]]]:
    """The next `count` records keyed by one of `ids`, as (topic, value); an agency's as that agency decrypts it."""
    seen: list[tuple[str, dict[str, Any]]] = []
    deadline = time.monotonic() + 60
    while len(seen) < count:
        assert time.monotonic() < deadline, f"only {len(seen)} of {count} records arrived"
        for batch in (await consumer.getmany(timeout_ms=500)).values():
            seen += [(r.topic, value_of(r.topic, r.value, stack)) for r in batch if r.key and r.key.decode() in ids]
    return seen


def value_of(topic: str, value: bytes, stack: Layout) -> dict[str, Any]:
    agency_id = AGENCIES.get(topic)
    if agency_id is None:
        read: dict[str, Any] = json.loads(value)
        return read
    return open_record(value, stack, agency_id)


async def test_each_agency_sees_its_own_citizen_id_and_no_identity_token(stack: Layout) -> None:
    provider = SigningKey.load_or_create(stack.idp_state_dir)
    consumer = await open_tail(stack.kafka_admin, topics.IDENTITY_VERIFIED, GEWERBE, STANDESAMT)
    try:
        # One person (one identity citizen id), each application with a token of its own.
        bodies = [application(provider, stack.idp_issuer) for _ in range(2)]
        bodies.append(application(provider, stack.idp_issuer) | BIRTH_CERTIFICATE)
        async with httpx.AsyncClient(base_url=stack.intake_url, timeout=10.0) as client:
            posted = [await post(client, body, "routed") for body in bodies]
            for each in posted:
                assert (await until_settled(client, each))["status"] == "routed"
        ids = [each.submission_id for each in posted]
        records = await records_of(consumer, set(ids), 2 * len(ids), stack)
    finally:
        await consumer.stop()

    identity_ids = {value["citizen_id"] for topic, value in records if topic == topics.IDENTITY_VERIFIED}
    assert len(identity_ids) == 1 and None not in identity_ids  # the same person, as identity knows them
    delivered = {
        value["submission_id"]: (topic, value) for topic, value in records if topic != topics.IDENTITY_VERIFIED
    }
    (first_topic, first), (second_topic, second), (other_topic, other) = (delivered[i] for i in ids)
    assert (first_topic, second_topic, other_topic) == (GEWERBE, GEWERBE, STANDESAMT)
    assert first["citizen_id"] == second["citizen_id"]  # stable at one agency
    assert other["citizen_id"] != first["citizen_id"]  # unlinkable across two
    agency_ids = {first["citizen_id"], other["citizen_id"]}
    assert not agency_ids & identity_ids and None not in agency_ids  # never identity's id
    for body, value in zip(bodies, (first, second, other), strict=True):
        raw = json.dumps(value)
        assert body["identity_token"] not in raw and body["identity_token"].split(".")[1] not in raw
        assert not any(identity_id in raw for identity_id in identity_ids)
        assert value["level_of_assurance"] == "substantial"
        # only what the service needs: both need the birth date, neither the e-mail address (CivicFlow tells the
        # citizen); all three details were verified against the identity assertion
        assert value["applicant"]["email"] is None and value["applicant"]["birth_date"] == "1964-08-12"
        assert value["verified_attributes"] == ["given_name", "family_name", "birth_date"]
