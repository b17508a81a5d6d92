"""Idempotent submission against the real stack: twenty copies of one request with one Idempotency-Key, sent at
once, file one submission, publish one SubmissionReceived, and are answered alike."""

import asyncio
import json
import time
from typing import Any
from uuid import UUID

import httpx
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

from civicflow.local.idp import SigningKey
from civicflow.local.layout import Layout
from civicflow.local.sample import ERIKA, application
from civicflow.local.tail import open_tail
from civicflow.shared import topics
from civicflow.shared.events import Applicant
from civicflow.shared.kafka import client_options
from tests.support.sealing import received, stack_sealer

COPIES = 20


async def test_twenty_concurrent_copies_with_one_key_file_one_submission(stack: Layout) -> None:
    body = application(SigningKey.load_or_create(stack.idp_state_dir), stack.idp_issuer)
    headers = {"Idempotency-Key": "b7e3c1d2-5a4f-4e6b-8c9d-0f1e2d3c4b5a"}
    consumer = await open_tail(stack.kafka_admin, topics.SUBMISSION_RECEIVED)
    try:
        async with httpx.AsyncClient(base_url=stack.intake_url, timeout=30.0) as client:
            answers = await asyncio.gather(
                *(client.post("/v1/submissions", json=body, headers=headers) for _ in range(COPIES))
            )
        assert {answer.status_code for answer in answers} == {202}, [answer.text for answer in answers]
        assert len({answer.text for answer in answers}) == 1  # byte for byte the same answer
        assert len({answer.headers["location"] for answer in answers}) == 1
        submission_id = answers[0].json()["submission_id"]

        published = await events_until_marker(stack, consumer, body, submission_id)
        assert published.count(submission_id) == 1
    finally:
        await consumer.stop()


async def events_until_marker(
    stack: Layout, consumer: AIOKafkaConsumer, body: dict[str, Any], submission_id: str
) -> list[str]:
    """The submission ids of the events on the topic, up to a marker sent once ours was seen, with our key (the same
    partition, so a second copy of ours, published at the same time, would come before it)."""
    seen: list[str] = []
    marker = received(
        stack_sealer(stack), Applicant.model_validate(ERIKA), body["form"], body["identity_token"], body["service_id"]
    )
    sent = False
    deadline = time.monotonic() + 60
    while str(marker.submission_id) not in seen:
        assert time.monotonic() < deadline, f"the marker did not come through: {seen}"
        for records in (await consumer.getmany(timeout_ms=500)).values():
            seen += [json.loads(record.value)["submission_id"] for record in records if record.value]
        if submission_id in seen and not sent:
            producer = AIOKafkaProducer(**client_options(stack.kafka_admin), acks="all", enable_idempotence=True)
            await producer.start()
            try:
                await producer.send_and_wait(
                    topics.SUBMISSION_RECEIVED, marker.model_dump_json().encode(), key=str(UUID(submission_id)).encode()
                )
            finally:
                await producer.stop()
            sent = True
    return seen
