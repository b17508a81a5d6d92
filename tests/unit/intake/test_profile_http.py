"""The profile's HTTP routes, with the ports faked: only for the signed-in citizen, refused from another site,
problems that name the fields and never quote them, and an erasure answered 503 when it could not be published."""

from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import uuid4

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from civicflow.intake.config import IntakeSettings
from civicflow.intake.domain.catalogue import Catalogue
from civicflow.intake.domain.sign_in import SignedIn
from civicflow.intake.domain.submission import SubmissionRecord, TimelineEntry
from civicflow.intake.entrypoints.profile_http import profile_router
from civicflow.intake.main import create_app
from civicflow.intake.profiles import Profiles, SubmissionLink
from civicflow.intake.web.sign_in import SESSION_COOKIE, Sessions
from civicflow.shared import topics
from civicflow.shared.events import Step
from civicflow.shared.problems import install_problem_handlers
from tests.support.profiles import CITIZEN_ID, erika_profile
from tests.support.sealing import made_keys, sealer_with_every_key
from tests.unit.fakes import FakePublisher
from tests.unit.intake.fakes import FakeProfileCopies, FakeSignIns, FakeSubmissions

SESSION = "session-" + "s" * 32
SERVICE_ID = "99050012104000"
NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)


class Api:
    def __init__(self) -> None:
        self.copies, self.submissions, self.publisher = FakeProfileCopies(), FakeSubmissions(), FakePublisher()
        sign_ins = FakeSignIns()
        expires = datetime.now(UTC) + timedelta(minutes=15)
        sign_ins.sessions[SESSION] = SignedIn(
            "Erika", "Mustermann", date(1964, 8, 12), "substantial", expires, "id.token.x", citizen_id=CITIZEN_ID
        )
        profiles = Profiles(self.copies, self.submissions, self.publisher, sealer_with_every_key())
        app = FastAPI()
        install_problem_handlers(app)
        app.include_router(profile_router(profiles, Sessions(sign_ins, (), "http://testserver"), Catalogue.bundled()))
        self.client = TestClient(app, raise_server_exceptions=False)
        self.client.cookies.set(SESSION_COOKIE, SESSION)


@pytest.fixture
def api() -> Api:
    return Api()


def problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body: dict[str, Any] = response.json()
    assert body["status"] == status and body["type"].startswith("/problems/")
    return body


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/v1/profile"),
        ("GET", "/v1/profile/submissions"),
        ("GET", f"/v1/prefill?service_id={SERVICE_ID}"),
        ("DELETE", "/v1/profile"),
    ],
)
def test_without_a_session_the_answer_is_401(api: Api, method: str, path: str) -> None:
    api.client.cookies.clear()
    problem(api.client.request(method, path), 401)
    api.client.cookies.set(SESSION_COOKIE, "unknown-" + "u" * 32)
    problem(api.client.request(method, path), 401)
    assert api.publisher.published == []


async def test_the_profile_shows_each_value_with_its_source_and_the_contact(api: Api) -> None:
    problem(api.client.get("/v1/profile"), 404)
    await api.copies.save(CITIZEN_ID, erika_profile(), NOW)
    response = api.client.get("/v1/profile")
    assert response.status_code == 200 and response.headers["cache-control"] == "no-store"
    body = response.json()
    assert body["contact"] == {
        "email": "erika@example.org",
        "language": "en",
        "channel": "email",
        "phone": None,
        "mailbox": None,
    }
    assert body["values"][2] == {
        "name": "applicant.birth_date",
        "value": "12.08.1964",
        "verified": True,
        "source": "identity_provider",
        "source_name": "BundID",
        "at": "2026-11-02T09:30:00+00:00",
    }


async def test_prefill_answers_the_values_of_the_services_form(api: Api) -> None:
    assert api.client.get(f"/v1/prefill?service_id={SERVICE_ID}").json() == []  # no profile yet
    await api.copies.save(CITIZEN_ID, erika_profile(), NOW)
    names = [value["name"] for value in api.client.get(f"/v1/prefill?service_id={SERVICE_ID}").json()]
    assert "applicant.address.postal_code" in names and "contact.language" not in names
    problem(api.client.get("/v1/prefill?service_id=99000000000000"), 404)
    problem(api.client.get("/v1/prefill"), 422)


async def test_the_citizens_submissions_are_listed(api: Api) -> None:
    submission_id = uuid4()
    api.submissions.records[submission_id] = SubmissionRecord(
        submission_id=submission_id,
        service_id=SERVICE_ID,
        status_token_hash="0" * 64,
        trace_id=None,
        received_at=NOW,
        timeline=(TimelineEntry(event_id=uuid4(), submission_id=submission_id, step=Step.RECEIVED, at=NOW),),
    )
    await api.copies.link([SubmissionLink(CITIZEN_ID, submission_id, NOW)])
    assert api.client.get("/v1/profile/submissions").json() == [
        {
            "submission_id": str(submission_id),
            "service_id": SERVICE_ID,
            "received_at": NOW.isoformat(),
            "status": "received",
        }
    ]


def test_new_contact_preferences_are_passed_on(api: Api) -> None:
    response = api.client.put("/v1/profile/contact", json={"email": "erika@example.net", "language": "en"})
    assert response.status_code == 202
    assert api.publisher.topics() == [topics.CONTACT_PREFERENCES_CHANGED]


def test_a_channel_without_its_address_names_the_address_it_needs(api: Api) -> None:
    for contact, pointer in [
        ({"channel": "sms"}, "/phone"),
        ({"channel": "sms", "phone": "0151 1234567"}, "/phone"),  # not E.164
        ({"channel": "webhook", "phone": "+4915112345678"}, "/mailbox"),
    ]:
        body = problem(api.client.put("/v1/profile/contact", json={"email": "erika@example.net"} | contact), 422)
        assert [error["pointer"] for error in body["errors"]] == [pointer]
        assert "0151" not in str(body)
    assert api.publisher.published == []
    by_sms = {"email": "erika@example.net", "channel": "sms", "phone": "+4915112345678"}
    assert api.client.put("/v1/profile/contact", json=by_sms).status_code == 202
    ((_, event, _),) = api.publisher.published
    assert not isinstance(event, bytes) and "+4915112345678" not in event.model_dump_json()  # sealed: profile key


def test_invalid_contact_preferences_name_the_fields_without_quoting_them(api: Api) -> None:
    response = api.client.put(
        "/v1/profile/contact",
        json={"email": "<script>@x", "language": "fr", "colour": "<b>"},
        headers={"Accept-Language": "en"},
    )
    body = problem(response, 422)
    assert {error["pointer"] for error in body["errors"]} == {"/email", "/language", "/colour"}
    assert "<script>" not in response.text and "fr" not in response.text.replace("/problems/", "")
    assert "<b>" not in response.text
    assert api.publisher.published == []
    problem(api.client.put("/v1/profile/contact", content=b"{", headers={"Content-Type": "application/json"}), 400)
    problem(api.client.put("/v1/profile/contact", content=b"email=x"), 415)


@pytest.mark.parametrize("origin", ["https://evil.example", "null"])
def test_a_change_from_another_site_is_refused(api: Api, origin: str) -> None:
    headers = {"Origin": origin}
    problem(api.client.put("/v1/profile/contact", json={"email": "erika@example.net"}, headers=headers), 403)
    problem(api.client.delete("/v1/profile", headers=headers), 403)
    assert api.publisher.published == []
    assert api.client.delete("/v1/profile", headers={"Origin": "http://testserver"}).status_code == 204


async def test_an_erasure_is_answered_204_and_503_when_not_published(api: Api) -> None:
    await api.copies.save(CITIZEN_ID, erika_profile(), NOW)
    api.publisher.fail = True
    assert problem(api.client.delete("/v1/profile"), 503)["type"] == "/problems/temporarily-unavailable"
    assert await api.copies.get(CITIZEN_ID) is not None
    api.publisher.fail = False
    response = api.client.delete("/v1/profile")
    assert response.status_code == 204 and response.content == b""
    assert api.publisher.topics() == [topics.ERASURE_REQUESTED]
    assert await api.copies.get(CITIZEN_ID) is None


def test_the_routes_are_in_the_api_document_and_answer_401_there_without_a_session() -> None:
    client = TestClient(create_app(IntakeSettings(keys=made_keys())))  # without `with`: the lifespan never starts
    paths = client.get("/openapi.json").json()["paths"]
    assert paths["/v1/profile"]["get"]["operationId"] == "profile"
    assert paths["/v1/profile"]["delete"]["operationId"] == "erase_profile"
    assert "401" in paths["/v1/profile/contact"]["put"]["responses"]
    assert paths["/v1/prefill"]["get"]["operationId"] == "prefill"
    problem(client.get("/v1/profile/submissions"), 401)
