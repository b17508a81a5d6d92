"""The pages' funnel through the real intake and Kafka: a step reported over HTTP (as JSON, and as a beacon's
text/plain) arrives on the experience topic, keyed by its journey, carrying exactly the contract's keys and nothing
of the request (no address, no user agent)."""

import json
import time
from typing import Any
from uuid import uuid4

import httpx
import pytest
from aiokafka import AIOKafkaConsumer
from aiokafka.structs import ConsumerRecord

from civicflow.local.layout import Layout
from civicflow.local.tail import open_tail
from civicflow.shared import topics
from civicflow.shared.events import ExperienceRecorded
from civicflow.shared.events.base import FROM_KAFKA

pytestmark = pytest.mark.e2e

ALLOWED_KEYS = set(ExperienceRecorded.model_fields)
IPHONE = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148"


async def test_a_reported_step_is_published_with_exactly_the_allowed_keys(stack: Layout) -> None:
    journey = str(uuid4())
    failed = {"kind": "validation_failed", "service_id": "99050012104000", "journey_id": journey}
    failed |= {"field": "/form/business_name", "language": "en"}
    abandoned = {"kind": "abandoned", "service_id": "99050012104000", "journey_id": journey}
    consumer = await open_tail(stack.kafka_admin, topics.EXPERIENCE_RECORDED)
    try:
        async with httpx.AsyncClient(base_url=stack.intake_url, timeout=30.0) as client:
            sent = await client.post("/v1/experience", json=failed, headers={"User-Agent": IPHONE})
            assert sent.status_code == 202 and sent.content == b"", sent.text
            beacon = await client.post(
                "/v1/experience",
                content=json.dumps(abandoned),
                headers={"Content-Type": "text/plain;charset=UTF-8", "User-Agent": IPHONE, "Accept-Language": "de"},
            )
            assert beacon.status_code == 202, beacon.text
        records = await records_of(consumer, journey, 2)
    finally:
        await consumer.stop()

    bodies: dict[str, dict[str, Any]] = {}
    for record in records:
        assert record.key == journey.encode()
        text = (record.value or b"").decode()
        assert "iPhone" not in text and "Mozilla" not in text and "127.0.0.1" not in text
        body = json.loads(text)
        assert set(body) == ALLOWED_KEYS
        ExperienceRecorded.model_validate(body, context=FROM_KAFKA)
        bodies[body["kind"]] = body
    failed_body, abandoned_body = bodies["validation_failed"], bodies["abandoned"]
    assert (failed_body["field"], failed_body["language"], failed_body["device"]) == (
        "/form/business_name",
        "en",
        "phone",
    )
    assert (abandoned_body["field"], abandoned_body["language"], abandoned_body["device"]) == (None, "de", "phone")


async def records_of(consumer: AIOKafkaConsumer, journey: str, count: int) -> list[ConsumerRecord[bytes, bytes]]:
    """The first `count` records of our journey."""
    found: list[ConsumerRecord[bytes, bytes]] = []
    deadline = time.monotonic() + 60
    while len(found) < count:
        assert time.monotonic() < deadline, f"only {len(found)} of {count} steps arrived"
        for records in (await consumer.getmany(timeout_ms=500)).values():
            found += [record for record in records if record.key == journey.encode()]
    return found
