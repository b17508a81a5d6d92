"""Intake's HTTP contract, with the ports faked: status codes, problem details, and that a refused
submission is neither stored nor published."""

import json
from collections.abc import Iterator
from typing import Any
from uuid import UUID

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pymongo.errors import ServerSelectionTimeoutError

from civicflow.intake import handlers
from civicflow.intake.domain.catalogue import Catalogue
from civicflow.intake.entrypoints.http import submissions_router
from civicflow.shared import topics
from civicflow.shared.events import SubmissionReceived, personal
from civicflow.shared.problems import install_problem_handlers
from tests.support.samples import valid_body
from tests.support.sealing import sealer_with_every_key
from tests.unit.intake.fakes import FakeAttachments, FakeRelay, FakeSubmissions

LIMIT = 1024 * 1024


class Intake:
    def __init__(self) -> None:
        self.submissions = FakeSubmissions()
        self.relay = FakeRelay()
        app = FastAPI()
        install_problem_handlers(app)
        app.include_router(
            submissions_router(
                Catalogue.bundled(),
                handlers.Intake(self.submissions, FakeAttachments(), self.relay, SEALER, PUBLIC_URL),
                LIMIT,
            )
        )
        self.client = TestClient(app, raise_server_exceptions=False)

    def assert_nothing_kept(self) -> None:
        assert self.submissions.records == {}
        assert self.relay.handed_off == []


SEALER = sealer_with_every_key()
PUBLIC_URL = "https://civicflow.example"


@pytest.fixture
def intake() -> Intake:
    return Intake()


def problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body: dict[str, Any] = response.json()
    assert body["status"] == status and body["type"].startswith("/problems/") and body["title"]
    return body


def test_accepted_submission_is_stored_with_its_event_and_readable_with_its_token(intake: Intake) -> None:
    response = intake.client.post("/v1/submissions", json=valid_body())
    assert response.status_code == 202
    accepted = response.json()
    assert response.headers["location"] == f"/v1/submissions/{accepted['submission_id']}"
    assert accepted["status"] == "received" and len(accepted["status_token"]) >= 40
    (outgoing,) = intake.submissions.outbox.values()
    assert (outgoing.topic, outgoing.key) == (topics.SUBMISSION_RECEIVED, accepted["submission_id"])
    assert intake.relay.handed_off == [outgoing]  # stored in the same write as the submission, then handed on

    status = intake.client.get(
        response.headers["location"], headers={"Authorization": f"Bearer {accepted['status_token']}"}
    )
    assert status.status_code == 200
    assert [entry["step"] for entry in status.json()["timeline"]] == ["received"]


def test_the_token_is_stored_only_as_a_hash(intake: Intake) -> None:
    accepted = intake.client.post("/v1/submissions", json=valid_body()).json()
    (record,) = intake.submissions.records.values()
    assert accepted["status_token"] not in record.model_dump_json()


@pytest.mark.parametrize("authorization", [None, "Bearer wrong-token", "Basic Zm9vOmJhcg=="])
def test_status_without_the_right_token_is_404_and_reveals_nothing(intake: Intake, authorization: str | None) -> None:
    location = intake.client.post("/v1/submissions", json=valid_body()).headers["location"]
    headers = {"Authorization": authorization} if authorization else {}
    body = problem(intake.client.get(location, headers=headers), 404)
    unknown = problem(intake.client.get("/v1/submissions/00000000-0000-0000-0000-000000000000", headers=headers), 404)
    assert body["detail"] == unknown["detail"]
    assert "Mustermann" not in json.dumps(body) and "received" not in json.dumps(body)


def test_malformed_json_is_400(intake: Intake) -> None:
    response = intake.client.post(
        "/v1/submissions", content=b'{"service_id": ', headers={"Content-Type": "application/json"}
    )
    assert "not valid JSON" in problem(response, 400)["detail"]
    intake.assert_nothing_kept()


def test_unknown_service_is_422_naming_service_id(intake: Intake) -> None:
    response = intake.client.post("/v1/submissions", json=valid_body() | {"service_id": "99000000000000"})
    assert problem(response, 422)["errors"] == [
        {"pointer": "/service_id", "detail": "Diese Leistung gibt es im Katalog nicht."}  # never echoed
    ]
    intake.assert_nothing_kept()


def test_missing_and_ill_typed_fields_are_422_naming_each(intake: Intake) -> None:
    body = valid_body()
    del body["applicant"]["given_name"]
    body["form"]["start_date"] = 20261201
    errors = problem(intake.client.post("/v1/submissions", json=body), 422)["errors"]
    assert {error["pointer"] for error in errors} == {"/applicant/given_name", "/form/start_date"}
    assert all(error["detail"] for error in errors)
    intake.assert_nothing_kept()


def test_a_body_over_one_mebibyte_is_413(intake: Intake) -> None:
    body = valid_body()
    body["form"]["activity"] = "x" * LIMIT
    problem(intake.client.post("/v1/submissions", json=body), 413)
    intake.assert_nothing_kept()


def test_a_body_over_the_limit_without_content_length_is_413(intake: Intake) -> None:
    def chunks() -> Iterator[bytes]:
        for _ in range(17):
            yield b" " * 65536

    response = intake.client.post("/v1/submissions", content=chunks(), headers={"Content-Type": "application/json"})
    problem(response, 413)
    intake.assert_nothing_kept()


def test_a_non_json_media_type_is_415(intake: Intake) -> None:
    response = intake.client.post(
        "/v1/submissions",
        content=b"service_id=1",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    problem(response, 415)
    intake.assert_nothing_kept()


def test_when_the_store_is_down_nothing_is_kept_and_the_citizen_may_retry(intake: Intake) -> None:
    intake.submissions.failing = True
    response = intake.client.post("/v1/submissions", json=valid_body())
    assert problem(response, 503)["detail"].endswith("Please retry.")
    assert response.headers["retry-after"] == "30"
    intake.assert_nothing_kept()


def test_a_status_read_while_the_store_is_down_is_a_problem_not_a_bare_500(intake: Intake) -> None:
    async def unreachable(submission_id: object) -> None:
        raise ServerSelectionTimeoutError("127.0.0.1:27017: connection refused")

    intake.submissions.get = unreachable  # type: ignore[method-assign]
    response = intake.client.get("/v1/submissions/00000000-0000-0000-0000-000000000000")
    assert problem(response, 503)["type"] == "/problems/temporarily-unavailable"
    assert "27017" not in response.text


def test_the_answer_that_carries_the_status_token_is_not_stored_by_caches(intake: Intake) -> None:
    accepted = intake.client.post("/v1/submissions", json=valid_body())
    assert accepted.headers["cache-control"] == "no-store"
    status = intake.client.get(
        accepted.headers["location"], headers={"Authorization": f"Bearer {accepted.json()['status_token']}"}
    )
    assert status.status_code == 200 and status.headers["cache-control"] == "no-store"


@pytest.mark.parametrize(
    ("content", "fragment"),
    [
        (b'{"a":' * 100_000 + b"1" + b"}" * 100_000, b"nests deeper"),
        (b'{"a":' * 20 + b"1" + b"}" * 20, b"nests deeper"),
        (b'{"service_id": ' + b"9" * 5000 + b"}", b"more than 32 digits"),
        (b'{"employees": NaN}', b"NaN"),
        (b'{"x": 1e999}', b"too large"),
    ],
)
def test_hostile_json_is_a_400_problem_never_a_500(intake: Intake, content: bytes, fragment: bytes) -> None:
    response = intake.client.post("/v1/submissions", content=content, headers={"Content-Type": "application/json"})
    assert fragment.decode() in problem(response, 400)["detail"]
    assert len(response.content) < 1000
    intake.assert_nothing_kept()


def test_an_answer_does_not_grow_with_the_input(intake: Intake) -> None:
    body = valid_body()
    body["form"] |= {f"unknown{index}": "x" * 100 for index in range(5_000)}
    response = intake.client.post("/v1/submissions", json=body)
    found = problem(response, 422)
    assert len(found["errors"]) == 20 and "5000 field(s)" in found["detail"] and "first 20" in found["detail"]
    assert "x" * 100 not in response.text and len(response.content) < 10_000
    unknown = intake.client.post("/v1/submissions", json=valid_body() | {"service_id": "9" * 60})
    assert problem(unknown, 422)["errors"][0]["pointer"] == "/service_id" and "9" * 60 not in unknown.text


@pytest.mark.parametrize(
    ("applicant", "pointer"),
    [
        ({"given_name": "Eri\x00ka"}, "/applicant/given_name"),
        ({"family_name": "\x1b[31mMustermann"}, "/applicant/family_name"),
        ({"family_name": "Muster\u202emann"}, "/applicant/family_name"),
        ({"given_name": "\u200b"}, "/applicant/given_name"),
        ({"birth_date": "2999-01-01"}, "/applicant/birth_date"),
        ({"birth_date": 0}, "/applicant/birth_date"),
        ({"birth_date": "1850-01-01"}, "/applicant/birth_date"),
    ],
)
def test_names_and_dates_a_person_could_not_have_are_refused(
    intake: Intake, applicant: dict[str, Any], pointer: str
) -> None:
    body = valid_body()
    body["applicant"] |= applicant
    assert pointer in {
        error["pointer"] for error in problem(intake.client.post("/v1/submissions", json=body), 422)["errors"]
    }
    intake.assert_nothing_kept()


def test_names_are_kept_in_their_composed_form(intake: Intake) -> None:
    body = valid_body()
    body["applicant"] |= {"family_name": "Mu\u0308ller"}  # u + combining diaeresis
    accepted = intake.client.post("/v1/submissions", json=body).json()
    (record,) = intake.submissions.records.values()
    assert accepted["submission_id"] == str(record.submission_id) and record.applicant["family_name"] == "Müller"


def test_the_same_idempotency_key_and_body_file_once_and_answer_alike(intake: Intake) -> None:
    headers = {"Idempotency-Key": "7d4c2f0e-1b9a-4f7e-9d3c-2a1b0c9d8e7f"}
    first = intake.client.post("/v1/submissions", json=valid_body(), headers=headers)
    again = intake.client.post("/v1/submissions", json=valid_body(), headers=headers)
    assert first.status_code == again.status_code == 202
    assert first.json() == again.json() and first.headers["location"] == again.headers["location"]
    assert len(intake.submissions.records) == 1 and len(intake.relay.handed_off) == 1
    other = valid_body()
    other["form"] |= {"business_name": "Another business"}
    reused = intake.client.post("/v1/submissions", json=other, headers=headers)
    assert problem(reused, 422)["type"] == "/problems/idempotency-key-reused"
    assert len(intake.submissions.records) == 1
    token = intake.submissions.claims.popitem()[1].sealed_token
    assert first.json()["status_token"] not in token  # kept only encrypted under the client's key


@pytest.mark.parametrize("key", [b"", b"x" * 256, "schlüssel".encode(), b"a b"])
def test_an_idempotency_key_that_is_no_key_is_a_400_problem(intake: Intake, key: bytes) -> None:
    response = intake.client.post("/v1/submissions", json=valid_body(), headers={"Idempotency-Key": key})
    assert problem(response, 400)["type"] == "/problems/invalid-idempotency-key"
    intake.assert_nothing_kept()


def test_problems_speak_the_language_the_citizen_asks_for(intake: Intake) -> None:
    body = valid_body()
    body["form"]["start_date"] = "01.12.2026"
    english = intake.client.post("/v1/submissions", json=body, headers={"Accept-Language": "en-GB,en;q=0.9"})
    german = intake.client.post("/v1/submissions", json=body)
    assert problem(english, 422)["errors"] == [
        {"pointer": "/form/start_date", "detail": "Please enter a date as YYYY-MM-DD."}
    ]
    assert problem(german, 422)["errors"][0]["detail"] == "Bitte geben Sie ein Datum als JJJJ-MM-TT an."


def test_consent_to_keep_the_profile_travels_with_the_submission(intake: Intake) -> None:
    assert intake.client.post("/v1/submissions", json=valid_body() | {"keep_profile": True}).status_code == 202
    assert intake.client.post("/v1/submissions", json=valid_body()).status_code == 202
    consents = [
        SubmissionReceived.model_validate_json(outgoing.value).keep_profile
        for outgoing in intake.submissions.outbox.values()
    ]
    assert sorted(consents) == [False, True]


def test_consent_is_a_json_true_and_nothing_like_it(intake: Intake) -> None:
    body = problem(intake.client.post("/v1/submissions", json=valid_body() | {"keep_profile": "yes"}), 422)
    assert [error["pointer"] for error in body["errors"]] == ["/keep_profile"]
    intake.assert_nothing_kept()


async def test_an_anonymised_submission_still_answers_its_status_link(intake: Intake) -> None:
    accepted = intake.client.post("/v1/submissions", json=valid_body()).json()
    await intake.submissions.anonymise([UUID(accepted["submission_id"])])
    status = intake.client.get(accepted["status_url"], headers={"Authorization": f"Bearer {accepted['status_token']}"})
    assert status.status_code == 200 and status.json()["status"] == "received"


def test_what_the_agency_is_given_of_the_applicant_travels_from_the_catalogue(intake: Intake) -> None:
    assert intake.client.post("/v1/submissions", json=valid_body()).status_code == 202
    (outgoing,) = intake.submissions.outbox.values()
    received = SubmissionReceived.model_validate_json(outgoing.value)
    assert received.agency_needs == Catalogue.bundled().services[received.service_id].agency_needs
    assert "email" not in received.agency_needs


def test_the_first_message_greets_the_citizen_and_links_their_status_page_sealed_for_notify(intake: Intake) -> None:
    accepted = intake.client.post("/v1/submissions", json=valid_body()).json()
    (outgoing,) = intake.submissions.outbox.values()
    received = SubmissionReceived.model_validate_json(outgoing.value)
    recipient, submission_id = received.recipient, received.submission_id
    assert recipient.name is not None and recipient.status_link is not None
    assert SEALER.open(personal.CONTACT_NAME, recipient.name, submission_id) == "Erika Mustermann"
    link = SEALER.open(personal.STATUS_LINK, recipient.status_link, submission_id)
    assert link == f"{PUBLIC_URL}/status/{submission_id}?token={accepted['status_token']}"
    assert accepted["status_token"] not in outgoing.value.decode()  # in the event only sealed
    assert recipient.service_title == Catalogue.bundled().services[received.service_id].title.in_("de")
