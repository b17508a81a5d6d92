"""Attachments against the real stack: a file whose bytes are not what its name says is refused with a problem
naming it; an accepted one travels with its application as a reference (id and hash) to the agency, never as
bytes; and once an application holds it, no other application can name it."""

import asyncio
import json
from typing import Any

import httpx

from civicflow.local.layout import Layout
from civicflow.local.sample import ERIKA
from civicflow.local.tail import open_tail
from civicflow.shared import topics
from tests.support import sample_files
from tests.support.agencies import open_record
from tests.support.journeys import post, until_settled

RENT_CHECK = "99116002000000"  # needs no identity; one letter required
MUENCHEN = ERIKA | {"address": {"street": "Sendlinger Straße 1", "postal_code": "80331", "city": "München"}}
FORM = {"current_rent": 700, "requested_rent": 770.5, "living_space": 62, "letter_date": "2026-11-02"}


async def upload(client: httpx.AsyncClient, name: str, data: bytes, declared: str) -> httpx.Response:
    return await client.post(
        "/v1/attachments",
        data={"service_id": RENT_CHECK},
        files={"file": (name, data, declared)},
        headers={"Accept-Language": "en"},
    )


async def test_a_file_that_is_not_what_its_name_says_is_refused_naming_it(stack: Layout) -> None:
    async with httpx.AsyncClient(base_url=stack.intake_url, timeout=30.0) as client:
        response = await upload(client, "letter.pdf", sample_files.png(), "application/pdf")
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    [error] = response.json()["errors"]
    assert error == {"pointer": "/file", "detail": "letter.pdf is not a PDF file: its content is a PNG image."}


async def test_an_attachment_reaches_the_agency_as_a_reference_and_belongs_to_one_application(stack: Layout) -> None:
    letter = sample_files.pdf(padding=300_000)  # more than one GridFS chunk
    agency = await open_tail(stack.kafka_admin, topics.agency_submissions("muenchen-mietberatung"))
    try:
        async with httpx.AsyncClient(base_url=stack.intake_url, timeout=30.0) as client:
            uploaded = await upload(client, "Mieterhöhung.pdf", letter, "application/pdf")
            assert uploaded.status_code == 201, uploaded.text
            ref: dict[str, Any] = uploaded.json()
            assert ref["media_type"] == "application/pdf" and ref["size"] == len(letter)
            body = {"service_id": RENT_CHECK, "applicant": MUENCHEN, "form": FORM, "attachments": [ref]}
            posted = await post(client, body, "routed")
            assert (await until_settled(client, posted))["status"] == "routed"

            again = await client.post("/v1/submissions", json=body)
            assert again.status_code == 422, again.text
            assert [error["pointer"] for error in again.json()["errors"]] == ["/attachments/0"]

        delivered = await _delivery(agency, posted.submission_id, stack)
    finally:
        await agency.stop()
    assert delivered["attachments"] == [ref]
    assert delivered["level_of_assurance"] == "none" and delivered["citizen_id"] is None
    assert len(json.dumps(delivered)) < 10_000  # a reference, not 300 kB of file


async def _delivery(agency: Any, submission_id: str, stack: Layout) -> dict[str, Any]:
    """The application as the agency decrypts it."""
    async with asyncio.timeout(60):
        while True:
            for records in (await agency.getmany(timeout_ms=1000)).values():
                for record in records:
                    if record.key == submission_id.encode():
                        return open_record(record.value, stack, "muenchen-mietberatung")
