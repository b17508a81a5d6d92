"""One identity token, one submission, through the real pipeline: a token used again, also with its ECDSA
signature rewritten, is rejected as a replay and reaches no agency."""

import time

import httpx
import pytest

from civicflow.local.idp import SigningKey
from civicflow.local.layout import Layout
from civicflow.local.sample import application
from civicflow.local.tail import open_tail
from civicflow.shared import topics
from tests.support.hostile_tokens import with_s_flipped
from tests.support.journeys import post, until_settled

pytestmark = pytest.mark.e2e

AGENCY = topics.agency_submissions("koeln-gewerbe")


async def test_a_token_used_for_a_second_submission_is_rejected_as_a_replay(stack: Layout) -> None:
    provider = SigningKey.load_or_create(stack.idp_state_dir)
    body = application(provider, stack.idp_issuer)
    consumer = await open_tail(stack.kafka_admin, topics.IDENTITY_VERIFIED, AGENCY)
    try:
        async with httpx.AsyncClient(base_url=stack.intake_url, timeout=10.0) as client:
            first = await post(client, body, "routed")
            assert (await until_settled(client, first))["status"] == "routed"
            again = await post(client, body, "rejected")
            flipped = body | {"identity_token": with_s_flipped(body["identity_token"])}
            rewritten = await post(client, flipped, "rejected")
            for replay in (again, rewritten):
                status = await until_settled(client, replay)
                assert status["status"] == "rejected"
                rejected = next(entry for entry in status["timeline"] if entry["step"] == "rejected")
                assert rejected["reason"] == "token_replayed"
            # A marker after the replays: once it is on the agency topic, anything of theirs would be seen too.
            marker = await post(client, application(provider, stack.idp_issuer), "routed")
        seen: dict[str, set[str]] = {topics.IDENTITY_VERIFIED: set(), AGENCY: set()}
        deadline = time.monotonic() + 60
        while marker.submission_id not in seen[AGENCY]:
            assert time.monotonic() < deadline, "the marker did not reach the agency"
            for records in (await consumer.getmany(timeout_ms=500)).values():
                for record in records:
                    seen[record.topic].add((record.key or b"").decode())
    finally:
        await consumer.stop()
    assert first.submission_id in seen[AGENCY]
    for topic in seen.values():
        assert not {again.submission_id, rewritten.submission_id} & topic
