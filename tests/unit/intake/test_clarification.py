"""Routing's question and the citizen's answer, with the ports faked: the question in the timeline and the status,
the answer over the API and from the status page (published once, kept in the timeline, refused when not offered,
not asked or not passed on), and the page that asks without showing what the citizen typed."""

from typing import Any
from uuid import UUID

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from civicflow.intake.adapters.http_oidc import OidcProvider
from civicflow.intake.clarifications import Clarifications
from civicflow.intake.config import IntakeSettings
from civicflow.intake.domain.catalogue import Catalogue
from civicflow.intake.domain.clarification import answer_id, open_question
from civicflow.intake.domain.validation import ValidSubmission, validate_submission
from civicflow.intake.entrypoints.clarification_http import clarification_router
from civicflow.intake.entrypoints.http import submissions_router
from civicflow.intake.handlers import Accepted, Intake, TraceContext, accept_submission, record_steps
from civicflow.intake.main import create_app
from civicflow.intake.web.apply import Apply
from civicflow.intake.web.clarify import clarify_router
from civicflow.intake.web.pages import Pages
from civicflow.intake.web.sign_in import Sessions
from civicflow.intake.web.status import status_router
from civicflow.shared import topics
from civicflow.shared.events import (
    ClarificationProvided,
    MunicipalityChoice,
    Recipient,
    SubmissionNeedsClarification,
    SubmissionRouted,
    personal,
)
from civicflow.shared.identity_providers import IdentityProvider
from civicflow.shared.problems import install_problem_handlers
from tests.support.html import hidden
from tests.support.samples import valid_body
from tests.support.sealing import made_keys, recipient, sealer_with_every_key
from tests.unit.fakes import FakePublisher
from tests.unit.intake.fakes import FakeAttachments, FakeRecorder, FakeRelay, FakeSignIns, FakeSubmissions, NoProfiles

SEALER = sealer_with_every_key()
KOELN = MunicipalityChoice(municipality_key="05315000", name="Köln")
FLENSBURG = MunicipalityChoice(municipality_key="01001000", name="Flensburg")
# Köln's postal code with a town 500 km away: the address does not say where it is.
FLENSBURG_ADDRESS = {"street": "Heidestraße 17", "postal_code": "51147", "city": "Flensburg"}


class Site:
    """Intake's API and pages for one application, filed as Erika with a contradictory address."""

    def __init__(self, publisher: FakePublisher | None = None) -> None:
        self.submissions, self.publisher = FakeSubmissions(), publisher or FakePublisher()
        self.intake = Intake(self.submissions, FakeAttachments(), FakeRelay(), SEALER)
        clarifications = Clarifications(self.submissions, self.publisher, SEALER)
        provider = OidcProvider(
            IdentityProvider(name="dev", issuer="http://idp.invalid", audience="civicflow"), b"k" * 32
        )
        sessions = Sessions(FakeSignIns(), (provider,), "https://antrag.example")
        apply = Apply(
            Pages("https://antrag.example"),
            Catalogue.bundled(),
            self.intake,
            FakeRecorder(),
            sessions,
            secure_cookies=False,
            profiles=NoProfiles(),
        )
        app = FastAPI()
        install_problem_handlers(app)
        app.include_router(submissions_router(Catalogue.bundled(), self.intake, 1024 * 1024))
        app.include_router(clarification_router(clarifications))
        app.include_router(status_router(apply))
        app.include_router(clarify_router(apply, clarifications))
        self.client = TestClient(app, raise_server_exceptions=False)

    async def filed(self, *, asked: bool = True) -> Accepted:
        body = valid_body()
        body["applicant"] = body["applicant"] | {"address": FLENSBURG_ADDRESS, "language": "en"}
        valid = validate_submission(body, Catalogue.bundled())
        assert isinstance(valid, ValidSubmission)
        accepted = await accept_submission(valid, self.intake, TraceContext(None, {}))
        if asked:
            await record_steps([question(accepted.submission_id)], self.submissions)
        return accepted

    def answer(self, accepted: Accepted, body: Any, token: str | None = None) -> Any:
        return self.client.post(
            f"/v1/submissions/{accepted.submission_id}/clarification",
            json=body,
            headers={"Authorization": f"Bearer {token or accepted.status_token}"},
        )

    def status(self, accepted: Accepted) -> dict[str, Any]:
        headers = {"Authorization": f"Bearer {accepted.status_token}"}
        found: dict[str, Any] = self.client.get(f"/v1/submissions/{accepted.submission_id}", headers=headers).json()
        return found

    def page(self, accepted: Accepted, extra: str = "") -> Any:
        return self.client.get(f"/status/{accepted.submission_id}?token={accepted.status_token}&lang=en{extra}")


def question(submission_id: UUID) -> SubmissionNeedsClarification:
    return SubmissionNeedsClarification(
        submission_id=submission_id,
        recipient=_recipient(submission_id),
        reason="postal_code_city_mismatch",
        choices=(KOELN, FLENSBURG),
    )


def _recipient(submission_id: UUID) -> Recipient:
    return recipient(SEALER, submission_id, "erika@example.org", "en")


def problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body: dict[str, Any] = response.json()
    return body


@pytest.fixture
def site() -> Site:
    return Site()


async def test_the_question_is_a_timeline_step_with_its_reason_and_choices_and_the_status_waits(site: Site) -> None:
    accepted = await site.filed()
    status = site.status(accepted)
    assert status["status"] == "clarification_needed"
    asked = status["timeline"][-1]
    assert asked == asked | {
        "step": "clarification_needed",
        "reason": "postal_code_city_mismatch",
        "choices": [
            {"municipality_key": "05315000", "name": "Köln"},
            {"municipality_key": "01001000", "name": "Flensburg"},
        ],
    }
    assert "51147" not in str(asked)  # keys and names of municipalities only, nothing the citizen typed


async def test_the_answer_is_published_for_routing_kept_in_the_timeline_and_moves_the_status_on(site: Site) -> None:
    accepted = await site.filed()
    response = site.answer(accepted, {"municipality_key": "05315000"})
    assert response.status_code == 202 and response.headers["cache-control"] == "no-store"
    ((topic, event, key),) = site.publisher.published
    assert (topic, key) == (topics.CLARIFICATION_PROVIDED, str(accepted.submission_id))
    assert isinstance(event, ClarificationProvided) and event.municipality_key == "05315000"
    assert event.event_id == answer_id(accepted.submission_id, "05315000")
    address = SEALER.open(personal.CONTACT_ADDRESS, event.recipient.address, accepted.submission_id)
    assert (address, event.recipient.language) == ("erika@example.org", "en")  # sealed for notify, as received
    status = site.status(accepted)
    assert status["status"] == "clarified"
    assert status["timeline"][-1] == status["timeline"][-1] | {"step": "clarified", "municipality_key": "05315000"}

    routed = SubmissionRouted(
        submission_id=accepted.submission_id,
        recipient=_recipient(accepted.submission_id),
        agency_id="koeln-gewerbe",
        municipality_key="05315000",
    )
    await record_steps([routed], site.submissions)
    assert site.status(accepted)["status"] == "routed"


async def test_the_same_answer_again_is_taken_once_and_another_one_is_a_409(site: Site) -> None:
    accepted = await site.filed()
    first = site.answer(accepted, {"municipality_key": "05315000"})
    again = site.answer(accepted, {"municipality_key": "05315000"})
    assert first.status_code == again.status_code == 202
    assert len(site.publisher.published) == 1
    other = problem(site.answer(accepted, {"municipality_key": "01001000"}), 409)
    assert other["type"] == "/problems/not-waiting-for-clarification" and len(site.publisher.published) == 1


async def test_an_application_that_was_not_asked_is_a_409(site: Site) -> None:
    accepted = await site.filed(asked=False)
    problem(site.answer(accepted, {"municipality_key": "05315000"}), 409)
    assert site.publisher.published == []


@pytest.mark.parametrize(
    ("body", "pointer"),
    [
        ({"municipality_key": "09162000"}, "/municipality_key"),  # München: a key, but not one offered
        ({"municipality_key": "Köln"}, "/municipality_key"),
        ({}, "/municipality_key"),
        ({"municipality_key": "05315000", "city": "Köln"}, "/city"),
        (["05315000"], ""),
    ],
    ids=["not-offered", "no-key", "missing", "unknown-field", "not-an-object"],
)
async def test_an_answer_that_is_not_one_of_the_choices_is_a_422_naming_the_field(
    site: Site, body: Any, pointer: str
) -> None:
    accepted = await site.filed()
    refused = problem(site.answer(accepted, body), 422)
    assert [error["pointer"] for error in refused["errors"]] == [pointer]
    assert site.publisher.published == [] and site.status(accepted)["status"] == "clarification_needed"


async def test_an_unknown_id_or_a_wrong_token_is_a_404_as_for_the_status(site: Site) -> None:
    accepted = await site.filed()
    wrong = problem(site.answer(accepted, {"municipality_key": "05315000"}, token="guess"), 404)
    unknown = problem(
        site.client.post(
            "/v1/submissions/not-a-uuid/clarification",
            json={"municipality_key": "05315000"},
            headers={"Authorization": f"Bearer {accepted.status_token}"},
        ),
        404,
    )
    assert wrong["detail"] == unknown["detail"] and site.publisher.published == []


async def test_malformed_or_non_json_answers_are_problems(site: Site) -> None:
    accepted = await site.filed()
    url = f"/v1/submissions/{accepted.submission_id}/clarification"
    headers = {"Authorization": f"Bearer {accepted.status_token}"}
    malformed = site.client.post(url, content=b"{", headers=headers | {"Content-Type": "application/json"})
    form = site.client.post(url, data={"municipality_key": "05315000"}, headers=headers)
    assert (problem(malformed, 400)["status"], problem(form, 415)["status"]) == (400, 415)


async def test_when_the_answer_cannot_be_published_it_is_a_503_and_nothing_is_kept() -> None:
    site = Site(FakePublisher(fail=True))
    accepted = await site.filed()
    refused = problem(site.answer(accepted, {"municipality_key": "05315000"}), 503)
    assert (
        refused["type"] == "/problems/temporarily-unavailable"
        and "retry-after" in site.answer(accepted, {"municipality_key": "05315000"}).headers
    )
    assert site.status(accepted)["status"] == "clarification_needed"


async def test_an_anonymised_application_is_asked_nothing_more(site: Site) -> None:
    # The erasure removed the waiting application from routing too: there is nothing to route.
    accepted = await site.filed()
    await site.submissions.anonymise([accepted.submission_id])
    problem(site.answer(accepted, {"municipality_key": "05315000"}), 409)


async def test_the_status_page_asks_in_plain_words_without_showing_the_address_typed(site: Site) -> None:
    accepted = await site.filed()
    page = site.page(accepted)
    assert page.status_code == 200 and page.headers["cache-control"] == "no-store"
    assert "The postcode and the town you gave do not go together" in page.text
    assert "Which municipality is your address in?" in page.text
    assert 'type="radio" id="m-05315000" name="municipality_key" value="05315000"' in page.text
    assert ">Köln</label>" in page.text and ">Flensburg</label>" in page.text  # the choices, as offered
    assert "51147" not in page.text and "Heidestraße" not in page.text and "postal_code_city_mismatch" not in page.text
    assert hidden(page.text, "token") == accepted.status_token and "civicflow_csrf" in page.cookies
    german = site.client.get(f"/status/{accepted.submission_id}?token={accepted.status_token}&lang=de")
    assert "In welcher Gemeinde liegt Ihre Anschrift?" in german.text


async def test_the_answer_posted_from_the_page_is_taken_and_the_page_stops_asking(site: Site) -> None:
    accepted = await site.filed()
    page = site.page(accepted)
    form = {"csrf": hidden(page.text, "csrf"), "token": accepted.status_token, "municipality_key": "05315000"}
    url = f"/status/{accepted.submission_id}/clarification?lang=en"
    posted = site.client.post(url, data=form, follow_redirects=False)
    assert posted.status_code == 303 and posted.headers["cache-control"] == "no-store"
    assert posted.headers["location"] == f"/status/{accepted.submission_id}?token={accepted.status_token}&lang=en"
    assert [topic for topic, _, _ in site.publisher.published] == [topics.CLARIFICATION_PROVIDED]
    after = site.client.get(posted.headers["location"])
    assert 'name="municipality_key"' not in after.text
    assert "Your answer to the question" in after.text and "Köln" in after.text
    again = site.client.post(url, data=form, follow_redirects=False)  # a double tap: the same answer, taken once
    assert again.status_code == 303 and len(site.publisher.published) == 1


async def test_a_page_post_without_a_choice_asks_again_saying_so(site: Site) -> None:
    accepted = await site.filed()
    page = site.page(accepted)
    form = {"csrf": hidden(page.text, "csrf"), "token": accepted.status_token}
    url = f"/status/{accepted.submission_id}/clarification?lang=en"
    posted = site.client.post(url, data=form, follow_redirects=False)
    assert posted.status_code == 303 and "unanswered=1" in posted.headers["location"]
    again = site.client.get(posted.headers["location"])
    assert "Please choose a municipality." in again.text and site.publisher.published == []


async def test_a_page_post_without_csrf_or_with_a_wrong_token_is_refused(site: Site) -> None:
    accepted = await site.filed()
    page = site.page(accepted)
    url = f"/status/{accepted.submission_id}/clarification?lang=en"
    forged = site.client.post(
        url, data={"csrf": "x" * 43, "token": accepted.status_token, "municipality_key": "05315000"}
    )
    guessed = site.client.post(
        url, data={"csrf": hidden(page.text, "csrf"), "token": "guess", "municipality_key": "05315000"}
    )
    assert (forged.status_code, guessed.status_code) == (403, 404) and site.publisher.published == []
    assert "open your status link again" in forged.text


async def test_the_page_says_when_the_answer_could_not_be_passed_on() -> None:
    site = Site(FakePublisher(fail=True))
    accepted = await site.filed()
    page = site.page(accepted)
    form = {"csrf": hidden(page.text, "csrf"), "token": accepted.status_token, "municipality_key": "05315000"}
    posted = site.client.post(f"/status/{accepted.submission_id}/clarification?lang=en", data=form)
    assert posted.status_code == 503 and "could not be passed on" in posted.text
    assert 'name="municipality_key"' in site.page(accepted).text  # still asked


async def test_an_open_question_is_the_latest_asked_and_none_once_answered(site: Site) -> None:
    accepted = await site.filed()
    record = await site.submissions.get(accepted.submission_id)
    assert record is not None
    asked = open_question(record)
    assert asked is not None and asked.offers("05315000") and not asked.offers("09162000")
    site.answer(accepted, {"municipality_key": "01001000"})
    answered = await site.submissions.get(accepted.submission_id)
    assert answered is not None and open_question(answered) is None


def test_the_answer_is_documented_in_the_openapi_document() -> None:
    settings = IntakeSettings(keys=made_keys())
    document = TestClient(create_app(settings)).get("/openapi.json").json()  # never started: no broker, no store
    operation = document["paths"]["/v1/submissions/{submission_id}/clarification"]["post"]
    assert operation["operationId"] == "clarify"
    assert {"202", "404", "409", "422", "503"} <= set(operation["responses"])
    schema = operation["requestBody"]["content"]["application/json"]["schema"]
    assert schema["required"] == ["municipality_key"] and schema["additionalProperties"] is False
    assert schema["properties"]["municipality_key"]["pattern"] == "^[0-9]{8}$"
