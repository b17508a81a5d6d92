"""Notifications on the running stack, against the local SMTP server told how to answer each recipient
(tests/support/smtp_script): a passing refusal retried until it goes, a refusal for good not retried and the address
not mailed again, retries that run out dead-lettered and replayed, and notify killed (SIGKILL) between handing a
mail to the server and recording it: one message per application and message type, whatever happens."""

import argparse
import asyncio
import re
import signal
import time
from typing import Any
from uuid import uuid4

import httpx
import pytest
from aiokafka import AIOKafkaConsumer
from pymongo import AsyncMongoClient

from civicflow.local.deadletter_cli import run_deadletters
from civicflow.local.idp import SigningKey
from civicflow.local.layout import Layout
from civicflow.local.sample import ERIKA, application
from civicflow.local.stack import Stack
from civicflow.local.tail import open_tail
from civicflow.shared import topics
from civicflow.shared.events import DeadLetter
from civicflow.shared.events.deadletter import DeadLetterReason
from tests.support.html import hidden
from tests.support.journeys import Posted, eventually, mails, messages, post, status_of, until_settled
from tests.support.provider_server import Provider
from tests.support.sign_in import sign_in
from tests.support.smtp_script import answered, holding, script

pytestmark = pytest.mark.e2e

NOTIFY = topics.ConsumerGroup.NOTIFY


def fresh_address(kind: str) -> str:
    """An address no other test mails: its script and its sending record are its own."""
    return f"{kind}-{uuid4().hex[:12]}@example.org"


async def apply_as(client: httpx.AsyncClient, stack: Layout, address: str) -> Posted:
    body = application(SigningKey.load_or_create(stack.idp_state_dir), stack.idp_issuer, ERIKA | {"email": address})
    return await post(client, body, "routed")


def message_ids(stack: Layout, submission_id: str) -> list[str]:
    found = [str(m["Message-ID"]).strip() for m in mails(stack.mail_dir)]
    return [message_id for message_id in found if message_id.startswith(f"<{submission_id}.")]


def notices(status: dict[str, Any]) -> list[tuple[str, int, bool]]:
    """Every status the application's messages reached, as (status, attempt, will_retry), in the timeline's order."""
    return [
        (entry["status"], entry["attempt"], entry["will_retry"])
        for entry in status["timeline"]
        if entry["step"] == "notified"
    ]


async def until_message(client: httpx.AsyncClient, posted: Posted, wanted: str, attempt: int = 0) -> dict[str, Any]:
    """The status once its one message reached the status `wanted` at attempt `attempt` or later."""

    def reached(status: dict[str, Any]) -> bool:
        latest = list(messages(status["timeline"]).values())
        return len(latest) == 1 and latest[0]["status"] == wanted and latest[0]["attempt"] >= attempt

    return await eventually(lambda: status_of(client, posted), reached)


async def test_a_passing_refusal_is_retried_and_the_message_goes_once(stack: Layout) -> None:
    address = fresh_address("later")
    script(stack.mail_dir, {address: ["451", "250"]})
    async with httpx.AsyncClient(base_url=stack.intake_url, timeout=30.0) as client:
        posted = await apply_as(client, stack, address)
        status = await until_settled(client, posted)
    assert ("temporary-failure", 1, True) in notices(status) and ("sending", 2, False) in notices(status)
    (message,) = messages(status["timeline"]).values()
    assert message["about"] == ["received", "verified", "routed"]  # one message for the three steps
    assert answered(stack.mail_dir)[address] == ["451", "250"]
    assert len(message_ids(stack, posted.submission_id)) == 1


async def test_a_refusal_for_good_is_not_retried_and_the_address_is_not_mailed_again(stack: Layout) -> None:
    address = fresh_address("gone")
    script(stack.mail_dir, {address: ["550@rcpt"]})
    async with httpx.AsyncClient(base_url=stack.intake_url, timeout=30.0) as client:
        first = await apply_as(client, stack, address)
        status = await until_message(client, first, "permanent-failure")
        (message,) = messages(status["timeline"]).values()
        assert message["reason"].startswith("Bounced: SMTP 550") and not message["will_retry"]
        second = await apply_as(client, stack, address)
        status = await until_message(client, second, "permanent-failure")
        (message,) = messages(status["timeline"]).values()
        assert message["reason"] == "not sent: bounced"
    assert answered(stack.mail_dir)[address] == ["550"]  # asked once; the second application's message never went
    assert message_ids(stack, first.submission_id) == message_ids(stack, second.submission_id) == []


async def test_retries_that_run_out_are_a_dead_letter_and_its_replay_sends_once(
    stack: Layout, capsys: pytest.CaptureFixture[str]
) -> None:
    address = fresh_address("full")
    script(stack.mail_dir, {address: ["452"]})  # mailbox full, on every attempt
    letters = await open_tail(stack.kafka_admin, topics.DEAD_LETTER)
    async with httpx.AsyncClient(base_url=stack.intake_url, timeout=30.0) as client:
        posted = await apply_as(client, stack, address)
        letter = await dead_letter_for(letters, posted.submission_id)
        await letters.stop()
        assert (letter.consumer_group, letter.reason, letter.attempts) == (
            NOTIFY,
            DeadLetterReason.RETRIES_EXHAUSTED,
            3,
        )
        assert letter.source_topic == topics.NOTIFICATION_DUE and letter.detail.startswith("TransientFailure: SMTP 4")
        status = await until_message(client, posted, "temporary-failure", attempt=4)
        assert notices(status)[-1] == ("temporary-failure", 4, False)  # the first attempt and three retries

        script(stack.mail_dir, {address: ["250"]})  # the mailbox has room again
        replay = argparse.Namespace(
            action="replay", group=None, reason=None, ids=[str(letter.dead_letter_id)], all=False
        )
        assert await run_deadletters(stack.kafka_operator, replay) == 0
        assert "replayed 1 dead letter(s)" in capsys.readouterr().out
        status = await until_message(client, posted, "sending", attempt=5)
    assert notices(status)[-1] == ("sending", 5, False)
    assert len(message_ids(stack, posted.submission_id)) == 1


async def test_notify_killed_between_sending_and_recording_sends_one_message(running_stack: Stack) -> None:
    stack = running_stack.layout
    address = fresh_address("slow")
    # The server holds the first mail's answer long enough for notify to be killed while it waits for it.
    script(stack.mail_dir, {address: ["hold:30", "250"]})
    notify_store: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(stack.mongo_uri)
    notifications = notify_store["civicflow_notify"]["notifications"]
    async with httpx.AsyncClient(base_url=stack.intake_url, timeout=30.0) as client:
        posted = await apply_as(client, stack, address)

        async def attempt_without_outcome() -> dict[str, Any] | None:
            return await notifications.find_one({"submission_id": posted.submission_id, "attempts": 1})

        found = await eventually(
            attempt_without_outcome, lambda found: found is not None and found["status"] == "created"
        )
        assert found is not None
        # The attempt is recorded before notify connects: it is killed only once the server holds the mail.
        await eventually(lambda: asyncio.sleep(0, address in holding(stack.mail_dir)), bool)
        await asyncio.to_thread(running_stack.stop, "notify", signal.SIGKILL)
        await running_stack.start("notify")
        status = await until_settled(client, posted)
    await notify_store.close()
    (message,) = messages(status["timeline"]).values()
    # Sent by a later attempt: the restarted notify's (and, where the group's rebalance hands the due record over
    # once more before it was committed, one more, under the same key again).
    assert (message["notification_id"], message["status"]) == (found["_id"], "sending") and message["attempt"] >= 2
    # the held mail's client was gone before the answer; whatever was resent went under the same Message-ID
    answers = await eventually(
        lambda: asyncio.sleep(0, answered(stack.mail_dir).get(address, [])), lambda a: len(a) >= 2
    )
    assert answers[0] == "disconnected" and set(answers[1:]) == {"250"}
    assert len(set(message_ids(stack, posted.submission_id))) == 1  # one message, as the citizen's mail shows it


async def dead_letter_for(consumer: AIOKafkaConsumer, submission_id: str) -> DeadLetter:
    deadline = time.monotonic() + 90
    while True:
        assert time.monotonic() < deadline, "no dead letter"
        for batch in (await consumer.getmany(timeout_ms=500)).values():
            for record in batch:
                letter = DeadLetter.model_validate_json(record.value)
                if letter.key == submission_id and letter.consumer_group == NOTIFY:
                    return letter


def fresh_phone() -> str:
    return "+49151" + f"{uuid4().int % 10**8:08d}"


async def apply_by(client: httpx.AsyncClient, stack: Layout, notify_by: dict[str, str]) -> Posted:
    """An application whose citizen chose another channel than e-mail for it."""
    body = application(SigningKey.load_or_create(stack.idp_state_dir), stack.idp_issuer, ERIKA)
    return await post(client, body | {"notify_by": notify_by}, "routed")


async def test_an_sms_the_provider_refuses_for_now_goes_on_the_retry_and_once(
    stack: Layout, provider: Provider
) -> None:
    phone = fresh_phone()
    provider.script(phone, [503, 200])
    async with httpx.AsyncClient(base_url=stack.intake_url, timeout=30.0) as client:
        posted = await apply_by(client, stack, {"channel": "sms", "phone": phone})
        status = await until_settled(client, posted)
    assert ("temporary-failure", 1, True) in notices(status) and ("sending", 2, False) in notices(status)
    (message,) = messages(status["timeline"]).values()
    assert message["channel"] == "sms" and message["about"] == ["received", "verified", "routed"]
    first, second = provider.sent_to(phone)
    assert (first.status, second.status) == (503, 200) and first.idempotency_key == second.idempotency_key
    assert message_ids(stack, posted.submission_id) == []  # not by e-mail as well


async def test_an_sms_the_provider_refuses_for_good_is_not_retried(stack: Layout, provider: Provider) -> None:
    phone = fresh_phone()
    provider.script(phone, [400])
    async with httpx.AsyncClient(base_url=stack.intake_url, timeout=30.0) as client:
        posted = await apply_by(client, stack, {"channel": "sms", "phone": phone})
        status = await until_message(client, posted, "permanent-failure")
    (message,) = messages(status["timeline"]).values()
    assert message["reason"] == "PermanentFailure: SMS: HTTP 400" and not message["will_retry"]
    assert len(provider.sent_to(phone)) == 1


async def test_the_portal_confirms_delivery_and_after_the_last_retry_a_replay_delivers(
    stack: Layout, provider: Provider, capsys: pytest.CaptureFixture[str]
) -> None:
    mailbox = f"postfach-{uuid4().hex[:12]}"
    provider.script(mailbox, [503])
    letters = await open_tail(stack.kafka_admin, topics.DEAD_LETTER)
    async with httpx.AsyncClient(base_url=stack.intake_url, timeout=30.0) as client:
        posted = await apply_by(client, stack, {"channel": "webhook", "mailbox": mailbox})
        letter = await dead_letter_for(letters, posted.submission_id)
        await letters.stop()
        assert (letter.reason, letter.attempts) == (DeadLetterReason.RETRIES_EXHAUSTED, 3)
        assert letter.detail.startswith("TransientFailure: webhook: HTTP 503")
        await until_message(client, posted, "temporary-failure", attempt=4)

        provider.script(mailbox, [200])
        replay = argparse.Namespace(
            action="replay", group=None, reason=None, ids=[str(letter.dead_letter_id)], all=False
        )
        assert await run_deadletters(stack.kafka_operator, replay) == 0
        assert "replayed 1 dead letter(s)" in capsys.readouterr().out
        status = await until_message(client, posted, "delivered", attempt=5)
    assert notices(status)[-1] == ("delivered", 5, False)  # the portal put it in the mailbox: confirmed
    sent = provider.sent_to(mailbox)
    assert [request.status for request in sent] == [503, 503, 503, 503, 200]
    assert len({request.idempotency_key for request in sent}) == 1 and sent[0].path == "/portal"


# A person of this test's own, with a profile of their own (the stack is shared, and other tests file as Erika).
SINA = ERIKA | {"given_name": "Sina", "family_name": "Kurznachricht", "birth_date": "1991-06-30"}
BUSINESS = "99050012104000"  # register a business: proof of identity "substantial", no file required
BUSINESS_FIELDS = {
    "form.business_name": "Kurznachricht Kurierdienst",
    "form.activity": "Pakete in der Stadt ausfahren",
    "form.legal_form": "einzelunternehmen",
    "form.start_date": "01.12.2026",
}


async def file_on_the_page(client: httpx.AsyncClient, service_id: str, fields: dict[str, str]) -> tuple[Posted, str]:
    """File as the signed-in citizen through the pages (form, summary, send), the form as it comes prefilled from the
    profile; returns the application and the summary page."""
    form = await client.get(f"/services/{service_id}/apply", params={"lang": "en"})
    assert form.status_code == 200, form.text[:300]
    prefilled = {
        name: value
        for name, value in re.findall(r'<input[^>]* name="(applicant\.[^"]+)"[^>]*value="([^"]*)"', form.text)
    }
    answers = prefilled | fields | {"csrf": hidden(form.text, "csrf"), "journey": hidden(form.text, "journey")}
    summary = await client.post(f"/services/{service_id}/apply", params={"lang": "en"}, data=answers)
    assert summary.status_code == 200, summary.text[:300]
    sent = await client.post(
        f"/services/{service_id}/submit", params={"lang": "en"}, data=answers | {"key": hidden(summary.text, "key")}
    )
    assert sent.status_code == 303, sent.text[:300]
    found = re.match(r"/status/([0-9a-f-]{36})\?token=([^&]+)", sent.headers["location"])
    assert found is not None, sent.headers["location"]
    submission_id, token = found.groups()
    return Posted(submission_id, f"/v1/submissions/{submission_id}", token, "routed"), summary.text


async def test_a_signed_in_citizen_who_chose_sms_in_the_profile_is_told_by_sms(
    stack: Layout, provider: Provider
) -> None:
    phone = fresh_phone()
    by_sms = {"email": fresh_address("sina"), "language": "en", "channel": "sms", "phone": phone}
    body = application(SigningKey.load_or_create(stack.idp_state_dir), stack.idp_issuer, SINA)
    async with httpx.AsyncClient(base_url=stack.intake_url, timeout=30.0) as client:
        await until_settled(client, await post(client, body | {"keep_profile": True}, "routed"))
        await sign_in(client, {"service_id": BUSINESS}, person=SINA)
        await eventually(lambda: client.get("/v1/profile"), lambda answer: answer.status_code == 200)
        assert (await client.put("/v1/profile/contact", json=by_sms)).status_code == 202
        await eventually(lambda: client.get("/v1/profile"), lambda answer: answer.json()["contact"]["channel"] == "sms")
        posted, summary = await file_on_the_page(client, BUSINESS, BUSINESS_FIELDS)
        assert "Text message (SMS), as set in your profile" in summary
        status = await until_settled(client, posted)
    (message,) = messages(status["timeline"]).values()
    assert message["channel"] == "sms" and message["status"] == "sending"
    (sent,) = provider.sent_to(phone)
    assert sent.status == 200
    assert message_ids(stack, posted.submission_id) == []  # not by e-mail as well
