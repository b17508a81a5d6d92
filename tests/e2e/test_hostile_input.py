"""Hostile input through the real pipeline: crafted identity tokens among valid applications."""

import asyncio
import time
from typing import Any, get_args

import httpx
import pytest

from civicflow.local.idp import SigningKey
from civicflow.local.layout import Layout
from civicflow.local.sample import application
from civicflow.local.tail import open_tail
from civicflow.shared import topics
from civicflow.shared.events import IdentityRejected
from civicflow.shared.events.identity import RejectionReason
from tests.support.hostile_tokens import hostile_tokens

pytestmark = pytest.mark.e2e

HOSTILE, VALID = 300, 100


async def test_crafted_tokens_are_rejected_with_a_reason_and_valid_applications_pass(stack: Layout) -> None:
    provider = SigningKey.load_or_create(stack.idp_state_dir)
    valid_bodies = [application(provider, stack.idp_issuer) for _ in range(VALID)]
    hostile_bodies = [
        valid_bodies[0] | {"identity_token": token}
        for token in hostile_tokens(valid_bodies[0]["identity_token"], provider.kid, HOSTILE)
    ]
    bodies = [(body, "hostile") for body in hostile_bodies]
    for index, body in enumerate(valid_bodies):  # interleaved: one valid application after every three hostile
        bodies.insert(index * 4, (body, "valid"))
    watched = [topics.IDENTITY_VERIFIED, topics.IDENTITY_REJECTED, topics.agency_submissions("koeln-gewerbe")]
    consumer = await open_tail(stack.kafka_admin, *watched)
    expected: dict[str, str] = {}
    limit = asyncio.Semaphore(20)

    async def post(client: httpx.AsyncClient, body: dict[str, Any], kind: str) -> None:
        async with limit:
            response = await client.post("/v1/submissions", json=body)
        assert response.status_code == 202, response.text
        expected[response.json()["submission_id"]] = kind

    async with httpx.AsyncClient(base_url=stack.intake_url, timeout=30.0) as client:
        await asyncio.gather(*(post(client, body, kind) for body, kind in bodies))

    seen: dict[str, dict[str, Any]] = {submission_id: {} for submission_id in expected}
    deadline = time.monotonic() + 120
    try:
        while not _all_settled(seen, expected):
            assert time.monotonic() < deadline, "the pipeline stalled"
            for records in (await consumer.getmany(timeout_ms=500)).values():
                for record in records:
                    submission_id = (record.key or b"").decode()
                    if submission_id in seen:
                        seen[submission_id][record.topic] = record.value
    finally:
        await consumer.stop()

    reasons = set(get_args(RejectionReason))
    for submission_id, kind in expected.items():
        outcome = seen[submission_id]
        if kind == "valid":
            assert set(outcome) == {topics.IDENTITY_VERIFIED, topics.agency_submissions("koeln-gewerbe")}
        else:
            assert set(outcome) == {topics.IDENTITY_REJECTED}, outcome.keys()
            assert IdentityRejected.model_validate_json(outcome[topics.IDENTITY_REJECTED]).reason in reasons


def _all_settled(seen: dict[str, dict[str, Any]], expected: dict[str, str]) -> bool:
    agency = topics.agency_submissions("koeln-gewerbe")
    return all(
        (agency in seen[submission_id]) if kind == "valid" else (topics.IDENTITY_REJECTED in seen[submission_id])
        for submission_id, kind in expected.items()
    )
