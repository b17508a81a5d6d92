"""An agency fetches an attachment of an application routed to it, on the real stack: Köln's business registration
with a permit attached reaches koeln-gewerbe naming the file by its reference; the agency kit fetches it from intake
with a token koeln-gewerbe signed (civicflow_agency.attachments), and what it decrypts is the uploaded file. The same
token on koeln-standesamt's path is a 401; koeln-standesamt's own token for the file is a 404, as for a file that does
not exist; an expired token is a 401."""

import time
from typing import Any

import httpx
import pytest
from aiokafka import AIOKafkaConsumer
from civicflow_agency import wire
from civicflow_agency.attachments import fetch_attachment

from civicflow.local.idp import SigningKey
from civicflow.local.layout import Layout
from civicflow.local.sample import ERIKA, application
from civicflow.local.tail import open_tail
from civicflow.shared import topics
from tests.support import sample_files
from tests.support.agencies import agency_keys, agency_signing_key, open_record
from tests.support.journeys import eventually, post, until_settled

pytestmark = pytest.mark.e2e

GEWERBE, STANDESAMT = "koeln-gewerbe", "koeln-standesamt"
BUSINESS = "99050012104000"
# Names nobody else in the tests uses, so that a match can only come from this application.
KONSTANTIN = ERIKA | {
    "given_name": "Konstantin",
    "family_name": "Wiedehopf",
    "birth_date": "1971-09-14",
    "email": "konstantin.wiedehopf@example.org",
    "address": {"street": "Kiebitzweg 8", "postal_code": "51147", "city": "Köln"},
}


async def delivered(consumer: AIOKafkaConsumer, submission_id: str, layout: Layout) -> dict[str, Any]:
    """The application as koeln-gewerbe decrypts it from its topic."""
    deadline = time.monotonic() + 60
    while True:
        assert time.monotonic() < deadline, "the application did not reach its agency"
        for batch in (await consumer.getmany(timeout_ms=500)).values():
            for record in batch:
                if record.key == submission_id.encode():
                    return open_record(record.value, layout, GEWERBE)


async def fetch(client: httpx.AsyncClient, agency_id: str, attachment_id: str, token: str) -> httpx.Response:
    path = wire.ATTACHMENT_PATH.format(agency_id=agency_id, attachment_id=attachment_id)
    return await client.get(path, headers={"Authorization": f"Bearer {token}"})


async def test_the_agency_fetches_its_applications_attachment_and_no_other_agency_can(stack: Layout) -> None:
    permit = sample_files.pdf(padding=300_000)
    provider = SigningKey.load_or_create(stack.idp_state_dir)
    consumer = await open_tail(stack.kafka_admin, topics.agency_submissions(GEWERBE))
    try:
        async with httpx.AsyncClient(base_url=stack.intake_url, timeout=30.0) as client:
            uploaded = await client.post(
                "/v1/attachments",
                data={"service_id": BUSINESS},
                files={"file": ("Erlaubnis.pdf", permit, "application/pdf")},
            )
            assert uploaded.status_code == 201, uploaded.text
            body = application(provider, stack.idp_issuer, KONSTANTIN) | {"attachments": [uploaded.json()]}
            posted = await post(client, body, "routed")
            assert (await until_settled(client, posted))["status"] == "routed"
        opened = await delivered(consumer, posted.submission_id, stack)
    finally:
        await consumer.stop()
    [ref] = opened["attachments"]
    attachment_id = ref["attachment_id"]

    async with httpx.AsyncClient(base_url=stack.intake_url, timeout=30.0) as client:
        # intake reads the registry in the background from its start: long since, but not waited for at start-up
        now = int(time.time())
        own = wire.access_token(
            agency_id=GEWERBE, attachment_id=attachment_id, key=agency_signing_key(stack, GEWERBE), now=now
        )
        answer = await eventually(lambda: fetch(client, GEWERBE, attachment_id, own), lambda r: r.status_code != 503)
        assert answer.status_code == 200, answer.text
        assert answer.headers["content-type"] == wire.MEDIA_TYPE and answer.headers["cache-control"] == "no-store"
        assert permit not in answer.content

        # as the agency kit fetches it: its own token, decrypted with its keys, checked against the reference
        fetched = await fetch_attachment(
            client, stack.intake_url, GEWERBE, ref, agency_signing_key(stack, GEWERBE), agency_keys(stack, GEWERBE)
        )
        assert fetched == permit

        # koeln-gewerbe's token on koeln-standesamt's path: not signed by koeln-standesamt
        misdirected = await fetch(client, STANDESAMT, attachment_id, own)
        assert misdirected.status_code == 401, misdirected.text
        assert misdirected.headers["www-authenticate"] == 'Bearer error="invalid_token"'
        assert own not in misdirected.text

        # koeln-standesamt's own, valid token for this file: it is not its application's, and it learns only that
        # there is nothing for it under this id, as for an id that never existed
        theirs = wire.access_token(
            agency_id=STANDESAMT, attachment_id=attachment_id, key=agency_signing_key(stack, STANDESAMT), now=now
        )
        not_theirs = await fetch(client, STANDESAMT, attachment_id, theirs)
        assert not_theirs.status_code == 404, not_theirs.text
        never = "00000000-0000-4000-8000-000000000000"
        unknown = wire.access_token(
            agency_id=STANDESAMT, attachment_id=never, key=agency_signing_key(stack, STANDESAMT), now=now
        )
        none_such = await fetch(client, STANDESAMT, never, unknown)
        assert (none_such.status_code, none_such.json()["detail"]) == (404, not_theirs.json()["detail"])

        # a token of koeln-gewerbe's that has expired
        expired = wire.access_token(
            agency_id=GEWERBE,
            attachment_id=attachment_id,
            key=agency_signing_key(stack, GEWERBE),
            now=now - wire.ACCESS_TOKEN_SECONDS - 120,
        )
        assert (await fetch(client, GEWERBE, attachment_id, expired)).status_code == 401
