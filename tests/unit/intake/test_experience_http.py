"""POST /v1/experience with the publisher faked: 202 and nothing else for a step that fits, a problem for one that
does not, and the User-Agent told only as a coarse device."""

import json
from collections.abc import AsyncIterator
from typing import Any
from uuid import uuid4

import httpx
import pytest
from fastapi import FastAPI

from civicflow.intake.domain.catalogue import Catalogue
from civicflow.intake.entrypoints.experience_http import experience_router
from civicflow.intake.experience import Experience
from civicflow.shared.events import ExperienceRecorded
from civicflow.shared.problems import install_problem_handlers
from tests.unit.fakes import FakePublisher
from tests.unit.intake.fakes import published

IPHONE = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148"
FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"


class Intake:
    def __init__(self, client: httpx.AsyncClient, experience: Experience, publisher: FakePublisher) -> None:
        self.client, self.experience, self.publisher = client, experience, publisher

    async def published(self, count: int) -> list[ExperienceRecorded]:
        return await published(self.experience, self.publisher, count)


@pytest.fixture
async def intake() -> AsyncIterator[Intake]:
    publisher = FakePublisher()
    experience = Experience(Catalogue.bundled(), publisher)
    app = FastAPI()
    install_problem_handlers(app)
    app.include_router(experience_router(experience))
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://intake") as client:
        yield Intake(client, experience, publisher)


def report(**changes: Any) -> dict[str, Any]:
    return {"kind": "service_viewed", "service_id": "99050012104000", "journey_id": str(uuid4())} | changes


def problem(response: httpx.Response, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body: dict[str, Any] = response.json()
    assert body["status"] == status and body["type"].startswith("/problems/")
    return body


async def test_a_step_is_accepted_with_an_empty_202_and_published_without_the_user_agent(intake: Intake) -> None:
    sent = report(kind="validation_failed", field="/applicant/address/postal_code", language="en")
    response = await intake.client.post("/v1/experience", json=sent, headers={"User-Agent": IPHONE})
    assert response.status_code == 202 and response.content == b""

    (event,) = await intake.published(1)
    assert (event.kind, event.field, event.language, event.device) == (
        "validation_failed",
        "/applicant/address/postal_code",
        "en",
        "phone",
    )
    assert str(event.journey_id) == sent["journey_id"]
    assert "iPhone" not in event.model_dump_json() and "Mobile" not in event.model_dump_json()


async def test_a_beacon_sends_the_same_json_as_text_plain(intake: Intake) -> None:
    body = json.dumps(report(kind="abandoned"))
    headers = {"Content-Type": "text/plain;charset=UTF-8", "Accept-Language": "en-GB,en;q=0.9", "User-Agent": FIREFOX}
    response = await intake.client.post("/v1/experience", content=body, headers=headers)
    assert response.status_code == 202
    (event,) = await intake.published(1)
    assert (event.kind, event.language, event.device) == ("abandoned", "en", "desktop")


@pytest.mark.parametrize(
    ("sent", "pointer"),
    [
        (report(service_id="99000000000000"), "/service_id"),
        (report(service_id="Erika Mustermann"), "/service_id"),
        (report(email="erika@example.org"), "/email"),
        (report(field="/form/business_name"), "/field"),  # only a failed check names a field
        (report(kind="validation_failed"), "/field"),
        (report(kind="validation_failed", field="/form/Mustermann"), "/field"),
        (report(journey_id="Mustermann"), "/journey_id"),
        (report(language="fr"), "/language"),
        (report(device="desktop"), "/device"),  # told by intake, not by the page
    ],
)
async def test_a_step_that_does_not_fit_is_a_422_naming_the_field_and_is_not_published(
    intake: Intake, sent: dict[str, Any], pointer: str
) -> None:
    body = problem(await intake.client.post("/v1/experience", json=sent), 422)
    assert pointer in [error["pointer"] for error in body["errors"]]
    assert not [word for word in ("Mustermann", "erika@", "`M`") if word in json.dumps(body)]

    marker = report()
    assert (await intake.client.post("/v1/experience", json=marker)).status_code == 202
    assert [str(event.journey_id) for event in await intake.published(1)] == [marker["journey_id"]]


async def test_not_json_is_400_and_another_media_type_is_415(intake: Intake) -> None:
    problem(await intake.client.post("/v1/experience", content=b"{", headers={"Content-Type": "text/plain"}), 400)
    problem(await intake.client.post("/v1/experience", content=b"[" * 1500 + b"]" * 500), 415)
    deep = b"[" * 1000 + b"]" * 1000
    problem(await intake.client.post("/v1/experience", content=deep, headers={"Content-Type": "application/json"}), 400)
    form = await intake.client.post("/v1/experience", data=report())
    assert problem(form, 415)["type"] == "/problems/unsupported-media-type"


async def test_a_body_over_two_kibibytes_is_413(intake: Intake) -> None:
    large = report(kind="validation_failed", field="/form/" + "x" * 3000)
    problem(await intake.client.post("/v1/experience", json=large), 413)

    async def trickled() -> AsyncIterator[bytes]:  # no Content-Length
        for _ in range(3):
            yield b" " * 1000

    problem(await intake.client.post("/v1/experience", content=trickled()), 413)
