"""Faults of the real infrastructure while applications flow: SMTP away for a while and for good, Kafka down,
intake crashed, the store down. Each test leaves every component running again."""

import argparse
import asyncio
import contextlib
import signal
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest
from aiokafka import AIOKafkaConsumer

from civicflow.local.deadletter_cli import run_deadletters
from civicflow.local.idp import SigningKey
from civicflow.local.layout import Layout
from civicflow.local.sample import application
from civicflow.local.stack import Stack
from civicflow.local.tail import open_tail
from civicflow.shared import topics
from civicflow.shared.events import DeadLetter, SubmissionReceived
from civicflow.shared.events.deadletter import DeadLetterReason
from tests.support.journeys import Posted, mailed_steps, post, until_settled

pytestmark = pytest.mark.e2e

NOTIFY = topics.ConsumerGroup.NOTIFY


@asynccontextmanager
async def stopped(stack: Stack, name: str, how: signal.Signals | None = None) -> AsyncIterator[None]:
    await asyncio.to_thread(stack.stop, name, how)
    try:
        yield
    finally:
        await stack.start(name)


def one_application(stack: Layout) -> dict[str, Any]:
    return application(SigningKey.load_or_create(stack.idp_state_dir), stack.idp_issuer)


async def records_until(consumer: AIOKafkaConsumer, wanted: set[str], timeout: float = 60.0) -> dict[str, list[Any]]:
    """The records whose key is one of `wanted`, read until each has come at least once."""
    found: dict[str, list[Any]] = {}
    deadline = time.monotonic() + timeout
    while not wanted <= found.keys():
        assert time.monotonic() < deadline, f"never came: {sorted(wanted - found.keys())}"
        for batch in (await consumer.getmany(timeout_ms=500)).values():
            for record in batch:
                key = (record.key or b"").decode()
                if key in wanted:
                    found.setdefault(key, []).append(record)
    return found


async def test_a_passing_smtp_outage_is_retried_and_every_mail_goes_out(running_stack: Stack) -> None:
    stack = running_stack.layout
    retries = await open_tail(stack.kafka_admin, topics.retry_topic(NOTIFY, 1))
    async with httpx.AsyncClient(base_url=stack.intake_url, timeout=30.0) as client:
        async with stopped(running_stack, "smtp"):
            posted = await post(
                client, application(SigningKey.load_or_create(stack.idp_state_dir), stack.idp_issuer), "routed"
            )
            await records_until(retries, {posted.submission_id})  # waiting on the retry topic, not the partition
        await retries.stop()
        status = await until_settled(client, posted)
    assert status["status"] == "routed"
    assert len(mailed_steps(stack.mail_dir, posted.submission_id)) == 1  # received, verified and routed: one message


async def test_retries_that_run_out_are_dead_lettered_and_a_replay_delivers(
    running_stack: Stack, capsys: pytest.CaptureFixture[str]
) -> None:
    stack = running_stack.layout
    letters = await open_tail(stack.kafka_admin, topics.DEAD_LETTER)
    async with httpx.AsyncClient(base_url=stack.intake_url, timeout=30.0) as client:
        async with stopped(running_stack, "smtp"):
            posted = await post(
                client, application(SigningKey.load_or_create(stack.idp_state_dir), stack.idp_issuer), "routed"
            )
            ours = await letters_for(letters, posted.submission_id, count=1)  # one message for all three steps
        await letters.stop()
        assert {(letter.consumer_group, letter.reason, letter.attempts) for letter in ours} == {
            (NOTIFY, DeadLetterReason.RETRIES_EXHAUSTED, 3)
        }
        assert all(letter.detail.startswith("TransientFailure: SMTP") for letter in ours)
        assert mailed_steps(stack.mail_dir, posted.submission_id) == []

        assert await run_deadletters(stack.kafka_operator, cli_args("list", group=NOTIFY)) == 0
        listed = capsys.readouterr().out
        assert all(str(letter.dead_letter_id) in listed for letter in ours) and "retries_exhausted" in listed

        ids = [str(letter.dead_letter_id) for letter in ours]
        assert await run_deadletters(stack.kafka_operator, cli_args("replay", ids=ids)) == 0
        assert "replayed 1 dead letter(s)" in capsys.readouterr().out
        status = await until_settled(client, posted)
    assert status["status"] == "routed"
    assert len(mailed_steps(stack.mail_dir, posted.submission_id)) == 1


async def letters_for(consumer: AIOKafkaConsumer, submission_id: str, count: int) -> list[DeadLetter]:
    found: list[DeadLetter] = []
    deadline = time.monotonic() + 60
    while len(found) < count:
        assert time.monotonic() < deadline, f"{len(found)} of {count} dead letters"
        for batch in (await consumer.getmany(timeout_ms=500)).values():
            found += [
                letter
                for letter in (DeadLetter.model_validate_json(record.value) for record in batch)
                if letter.key == submission_id
            ]
    return found


def cli_args(action: str, group: str | None = None, ids: list[str] | None = None) -> argparse.Namespace:
    return argparse.Namespace(action=action, group=group, reason=None, ids=ids or [], all=False)


async def test_with_kafka_down_intake_accepts_and_publishes_after_a_crash_and_restart(running_stack: Stack) -> None:
    stack = running_stack.layout
    provider = SigningKey.load_or_create(stack.idp_state_dir)
    async with httpx.AsyncClient(base_url=stack.intake_url, timeout=30.0) as client:
        await asyncio.to_thread(running_stack.stop, "kafka")
        try:
            accepted = [await post(client, application(provider, stack.idp_issuer), "routed") for _ in range(10)]
            # the events wait in intake's store; intake is crashed before Kafka comes back
            await asyncio.to_thread(running_stack.stop, "intake", signal.SIGKILL)
        finally:
            await running_stack.start("kafka")
            await running_stack.start("intake")
        received = await open_tail(stack.kafka_admin, topics.SUBMISSION_RECEIVED)
        await received.seek_to_beginning()  # the relay may have published while the consumer was joining
        published = await records_until(received, {posted.submission_id for posted in accepted})
        await received.stop()
        for posted in accepted:
            assert (await until_settled(client, posted))["status"] == "routed"
    assert_one_event_per_submission(published)


async def test_a_burst_cut_short_by_crashing_intake_is_published_once_per_submission(running_stack: Stack) -> None:
    stack = running_stack.layout
    provider = SigningKey.load_or_create(stack.idp_state_dir)
    bodies = [application(provider, stack.idp_issuer) for _ in range(150)]
    received = await open_tail(stack.kafka_admin, topics.SUBMISSION_RECEIVED)
    accepted: list[Posted] = []

    async def post_all(client: httpx.AsyncClient) -> None:
        async def one(body: dict[str, Any]) -> None:
            # refused or cut off by the crash: not accepted, so nothing is owed
            with contextlib.suppress(httpx.HTTPError, AssertionError):
                accepted.append(await post(client, body, "routed"))

        await asyncio.gather(*(one(body) for body in bodies))

    async with httpx.AsyncClient(base_url=stack.intake_url, timeout=30.0) as client:
        burst = asyncio.create_task(post_all(client))
        while len(accepted) < 40:
            await asyncio.sleep(0.01)
        async with stopped(running_stack, "intake", signal.SIGKILL):
            await burst
        published = await records_until(received, {posted.submission_id for posted in accepted})
    await received.stop()
    assert 40 <= len(accepted) < len(bodies)
    assert_one_event_per_submission(published)


def assert_one_event_per_submission(published: dict[str, list[Any]]) -> None:
    """Copies (a crash between a publish and its mark) must be the same event, which consumers de-duplicate."""
    for submission_id, records in published.items():
        event_ids = {SubmissionReceived.model_validate_json(record.value).event_id for record in records}
        assert len(event_ids) == 1, submission_id


async def test_with_the_store_down_intake_answers_503_and_consumers_wait(running_stack: Stack) -> None:
    stack = running_stack.layout
    provider = SigningKey.load_or_create(stack.idp_state_dir)
    async with httpx.AsyncClient(base_url=stack.intake_url, timeout=30.0) as client:
        before = await post(client, application(provider, stack.idp_issuer), "routed")
        async with stopped(running_stack, "ferretdb"):
            refused = await client.post("/v1/submissions", json=application(provider, stack.idp_issuer))
            assert refused.status_code == 503 and refused.headers["retry-after"] == "30"
            assert refused.headers["content-type"] == "application/problem+json"
            assert "27017" not in refused.text and "ferret" not in refused.text.lower()
        after = await post(client, application(provider, stack.idp_issuer), "routed")
        for posted in (before, after):  # whatever was in flight when the store went, nothing was lost
            assert (await until_settled(client, posted))["status"] == "routed"
