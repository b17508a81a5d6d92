"""The agency answers, on the real stack: `civicflow-agency decide` (the installed command, as the agency's own
Kafka principal) asks the citizen for information, the request reaches the status page and the citizen's mailbox,
the citizen's answer reaches the agency encrypted to its key, and the agency's acceptance ends in the timeline and
a mail. A decision signed with a key the registry does not list is refused: a dead letter with the reason, and
the citizen hears nothing of it."""

import asyncio
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from uuid import uuid4

import httpx
import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from civicflow_agency import wire

from civicflow.local.idp import SigningKey
from civicflow.local.layout import Layout
from civicflow.local.sample import ERIKA, application
from civicflow.local.tail import open_tail
from civicflow.shared import topics
from civicflow.shared.events import DeadLetter
from civicflow.shared.kafka import client_options
from civicflow.shared.security.access import agency_principal
from tests.support import deciding
from tests.support.agencies import open_record
from tests.support.journeys import Posted, eventually, mails, post, status_of, until_settled

pytestmark = pytest.mark.e2e

AGENCY = "koeln-gewerbe"
SERVICE = " \N{EN DASH} Gewerbe anmelden"  # every subject ends with the service's title, in the citizen's language
# Names nobody else in the tests uses.
OTTILIE = ERIKA | {
    "given_name": "Ottilie",
    "family_name": "Wendehals",
    "birth_date": "1979-08-14",
    "email": "ottilie.wendehals@example.org",
    "address": {"street": "Kiebitzweg 5", "postal_code": "51147", "city": "Köln"},
}
REQUEST = "Bitte nennen Sie uns die Anschrift Ihrer Betriebsstätte\nund den Tag der Eröffnung."
ANSWER = "Betriebsstätte: Kiebitzweg 5, Köln.\nEröffnung am 1. März."
ACCEPTED = "Ihre Gewerbeanmeldung ist eingetragen. Den Gewerbeschein senden wir Ihnen zu."


async def decide(stack: Layout, tmp_path: Path, submission_id: str, outcome: str, reason: str) -> None:
    await deciding.decide(stack, tmp_path, AGENCY, submission_id, outcome, reason)


def decisions(status: dict[str, Any]) -> list[dict[str, Any]]:
    return [entry for entry in status["timeline"] if entry["step"] == "decided"]


async def until_decided(client: httpx.AsyncClient, posted: Posted, count: int) -> dict[str, Any]:
    return await eventually(lambda: status_of(client, posted), lambda status: len(decisions(status)) >= count)


def mail_subjects(stack: Layout, address: str) -> list[str]:
    return [str(mail["Subject"]) for mail in mails(stack.mail_dir) if address in str(mail["To"])]


async def answer_record(consumer: AIOKafkaConsumer, submission_id: str) -> Any:
    deadline = time.monotonic() + 60
    while True:
        assert time.monotonic() < deadline, "the answer did not reach the agency"
        for batch in (await consumer.getmany(timeout_ms=500)).values():
            for record in batch:
                headers = {name: value.decode() for name, value in record.headers}
                kind = headers.get(wire.HEADER_MESSAGE_KIND)
                if record.key == submission_id.encode() and kind == wire.KIND_INFORMATION:
                    return record


async def test_the_agency_asks_the_citizen_answers_and_the_agency_accepts(stack: Layout, tmp_path: Path) -> None:
    provider = SigningKey.load_or_create(stack.idp_state_dir)
    async with httpx.AsyncClient(base_url=stack.intake_url, timeout=10.0) as client:
        posted = await post(client, application(provider, stack.idp_issuer, OTTILIE), "routed")
        assert (await until_settled(client, posted))["status"] == "routed"

        # The first message greets the citizen by name and links their status page (the link sealed on its way).
        received = next(
            m for m in mails(stack.mail_dir) if str(m["Message-ID"]).strip().startswith(f"<{posted.submission_id}.")
        )
        text = received.get_body(("plain",))
        assert text is not None and "Guten Tag Ottilie Wendehals," in text.get_content()
        assert f"/status/{posted.submission_id}?token={posted.token}" in text.get_content()

        await decide(stack, tmp_path, posted.submission_id, "request-info", REQUEST)
        status = await until_decided(client, posted, 1)
        (asked,) = decisions(status)
        assert (asked["outcome"], asked["agency_id"], asked["reason"]) == ("information_requested", AGENCY, REQUEST)
        await eventually(
            lambda: asyncio.sleep(0, mail_subjects(stack, OTTILIE["email"])),
            lambda subjects: f"Die Behörde bittet um weitere Angaben zu Ihrem Antrag{SERVICE}" in subjects,
        )

        consumer = await open_tail(stack.kafka_admin, topics.agency_submissions(AGENCY))
        try:
            answered = await client.post(
                f"{posted.location}/information",
                json={"answer": ANSWER},
                headers={"Authorization": f"Bearer {posted.token}"},
            )
            assert answered.status_code == 202, answered.text
            record = await answer_record(consumer, posted.submission_id)
        finally:
            await consumer.stop()
        opened = open_record(record.value, stack, AGENCY)
        assert (opened["kind"], opened["answer"], opened["request_id"]) == ("information", ANSWER, asked["decision_id"])
        assert b"Kiebitzweg" not in record.value  # encrypted to the agency, like the application

        await decide(stack, tmp_path, posted.submission_id, "accept", ACCEPTED)
        status = await until_decided(client, posted, 2)
        assert status["status"] == "decided"
        assert [entry["outcome"] for entry in decisions(status)] == ["information_requested", "accepted"]
        await eventually(
            lambda: asyncio.sleep(0, mail_subjects(stack, OTTILIE["email"])),
            lambda subjects: f"Ihr Antrag wurde bewilligt{SERVICE}" in subjects,
        )
    accepted_mail = next(
        m
        for m in mails(stack.mail_dir)
        if str(m["Subject"]) == f"Ihr Antrag wurde bewilligt{SERVICE}"
        and str(m["Message-ID"]).strip().startswith(f"<{posted.submission_id}.")  # other tests accept too
    )
    text = accepted_mail.get_body(("plain",))
    assert text is not None and "> Ihre Gewerbeanmeldung ist eingetragen." in text.get_content()
    # the decision closes the case: it asks how satisfied the citizen was (the link sealed by intake for notify)
    assert f"/status/{posted.submission_id}/rating?token={posted.token}" in text.get_content()
    asking_mail = next(
        m
        for m in mails(stack.mail_dir)
        if "bittet um weitere Angaben" in str(m["Subject"])
        and str(m["Message-ID"]).strip().startswith(f"<{posted.submission_id}.")
    )
    asked_text = asking_mail.get_body(("plain",))
    assert asked_text is not None and "/rating" not in asked_text.get_content()


async def test_a_decision_signed_with_an_unregistered_key_is_refused(stack: Layout) -> None:
    provider = SigningKey.load_or_create(stack.idp_state_dir)
    forger = wire.new_signing_key()
    async with httpx.AsyncClient(base_url=stack.intake_url, timeout=10.0) as client:
        body = application(provider, stack.idp_issuer, OTTILIE | {"email": "ottilie.zwei@example.org"})
        posted = await post(client, body, "routed")
        assert (await until_settled(client, posted))["status"] == "routed"

        letters = await open_tail(stack.kafka_admin, topics.DEAD_LETTER)
        # As the agency's own principal may write its decisions topic: only the signature is wrong.
        producer = AIOKafkaProducer(**client_options(stack.kafka_as(agency_principal(AGENCY))), acks="all")
        await producer.start()
        try:
            payload = wire.decision_payload(
                decision_id=str(uuid4()),
                submission_id=posted.submission_id,
                agency_id=AGENCY,
                outcome="rejected",
                reason="Abgelehnt.",
                decided_at=datetime.now(UTC),
            )
            headers = wire.decision_headers(submission_id=posted.submission_id, agency_id=AGENCY)
            await producer.send_and_wait(
                topics.agency_decisions(AGENCY),
                wire.sign(payload, forger).encode(),
                key=posted.submission_id.encode(),
                headers=[(name, value.encode()) for name, value in headers.items()],
            )
        finally:
            await producer.stop()
        letter = await dead_letter_for(letters, topics.agency_decisions(AGENCY))
        assert "not signed with a registered key of its agency" in letter.detail
        status = await status_of(client, posted)
        assert decisions(status) == [] and status["status"] == "routed"


async def dead_letter_for(consumer: AIOKafkaConsumer, source_topic: str) -> DeadLetter:
    deadline = time.monotonic() + 60
    try:
        while True:
            assert time.monotonic() < deadline, "no dead letter for the forged decision"
            for batch in (await consumer.getmany(timeout_ms=500)).values():
                for record in batch:
                    letter = DeadLetter.model_validate_json(record.value)
                    if letter.source_topic == source_topic:
                        return letter
    finally:
        await consumer.stop()
