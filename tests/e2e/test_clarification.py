"""An address whose postal code and town contradict each other ("51147 Flensburg": Köln's postal code, a town 500 km
away) is not guessed at: the application waits, the citizen is asked (status and mail) which municipality it is
in, and once they answer it reaches that municipality's agency."""

import time
from typing import Any

import httpx
import pytest
from aiokafka import AIOKafkaConsumer

from civicflow.local.idp import SigningKey
from civicflow.local.layout import Layout
from civicflow.local.sample import ERIKA, application
from civicflow.local.tail import open_tail
from civicflow.shared import topics
from tests.support.journeys import Posted, eventually, mailed_steps, mails, post, status_of, told_of

pytestmark = pytest.mark.e2e

GEWERBE = topics.agency_submissions("koeln-gewerbe")
KOELN = {"municipality_key": "05315000", "name": "Köln"}
# A person of this test's own: the stack is shared, and other tests file as Erika.
JONAS = ERIKA | {
    "given_name": "Jonas",
    "family_name": "Zweifel",
    "birth_date": "1975-05-17",
    "email": "jonas.zweifel@example.org",
    "language": "en",
    "address": {"street": "Frankfurter Straße 12", "postal_code": "51147", "city": "Flensburg"},
}


async def delivered(consumer: AIOKafkaConsumer, submission_id: str, timeout: float = 60.0) -> list[str]:
    """The topics of the records keyed by the submission, as soon as there is one."""
    seen: list[str] = []
    deadline = time.monotonic() + timeout
    while not seen:
        assert time.monotonic() < deadline, "the application did not reach an agency"
        for batch in (await consumer.getmany(timeout_ms=500)).values():
            seen += [record.topic for record in batch if record.key and record.key.decode() == submission_id]
    return seen


def steps(status: dict[str, Any]) -> list[str]:
    return [entry["step"] for entry in status["timeline"] if entry["step"] != "notified"]


async def answer(client: httpx.AsyncClient, posted: Posted, municipality_key: str) -> httpx.Response:
    return await client.post(
        f"{posted.location}/clarification",
        json={"municipality_key": municipality_key},
        headers={"Authorization": f"Bearer {posted.token}"},
    )


async def test_a_contradictory_address_is_asked_about_and_routed_where_the_citizen_says(stack: Layout) -> None:
    provider = SigningKey.load_or_create(stack.idp_state_dir)
    consumer = await open_tail(stack.kafka_admin, GEWERBE)
    try:
        async with httpx.AsyncClient(base_url=stack.intake_url, timeout=10.0) as client:
            posted = await post(client, application(provider, stack.idp_issuer, JONAS), "routed")
            # the question is asked, and the citizen told of it (an answer within the coalescing window would make
            # the one message name the routing instead)
            waiting = await eventually(
                lambda: status_of(client, posted),
                lambda found: (
                    found["status"] == "clarification_needed" and "clarification_needed" in told_of(found["timeline"])
                ),
            )
            (asked,) = [entry for entry in waiting["timeline"] if entry["step"] == "clarification_needed"]
            assert asked["reason"] == "postal_code_city_mismatch" and KOELN in asked["choices"]
            assert "51147" not in str(asked) and "Frankfurter" not in str(asked)  # nothing the citizen typed

            # Not among the choices: refused, and nothing moves.
            assert (await answer(client, posted, "01001000")).status_code == 422
            assert (await answer(client, posted, "05315000")).status_code == 202
            assert await delivered(consumer, posted.submission_id) == [GEWERBE]

            routed = await eventually(
                lambda: status_of(client, posted),
                # the question was told (with the steps before it); the routing after the answer is a quiet step
                lambda found: found["status"] == "routed" and "clarification_needed" in told_of(found["timeline"]),
            )
            assert steps(routed) == ["received", "verified", "clarification_needed", "clarified", "routed"]
            assert (await answer(client, posted, "05315000")).status_code == 202  # the same answer: taken once
            assert (await answer(client, posted, "01001000")).status_code == 409  # nothing waits any more
    finally:
        await consumer.stop()

    assert mailed_steps(stack.mail_dir, posted.submission_id) == ["clarification_needed"]
    (mail,) = [
        m
        for m in mails(stack.mail_dir)
        if str(m["Message-ID"]).strip().startswith(f"<{posted.submission_id}.")
        and str(m["Message-ID"]).strip().endswith(".clarification_needed@civicflow>")
    ]
    # the service's title follows the words, as in every subject
    assert mail["Subject"] == "Please answer a question about your application \N{EN DASH} Register a business"
    body = mail.get_body(("plain",))
    assert body is not None
    text = body.get_content()
    assert "status page" in text and posted.submission_id in text
    # nothing of the address the citizen typed, nor the municipalities offered; the greeting names them (issue 10)
    assert not any(detail in text for detail in ("51147", "Flensburg", "Frankfurter", "Köln"))
    assert "Zweifel" in text
