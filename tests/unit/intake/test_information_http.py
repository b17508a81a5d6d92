"""The agency's decision and its request for information as the citizen meets them, with the ports faked: the answer
over the API (202, 409, 422 naming the field without quoting it, 404 as the status), the status API's timeline, and
the status page that shows the decision in plain words, the agency's reason as text, and the form while it asks."""

from datetime import UTC, datetime
from typing import Any
from uuid import UUID, uuid4

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from civicflow.intake.adapters.http_oidc import OidcProvider
from civicflow.intake.config import IntakeSettings
from civicflow.intake.domain.catalogue import Catalogue
from civicflow.intake.domain.validation import ValidSubmission, validate_submission
from civicflow.intake.entrypoints.http import submissions_router
from civicflow.intake.entrypoints.information_http import information_router
from civicflow.intake.handlers import Accepted, Intake, TraceContext, accept_submission, record_decisions
from civicflow.intake.information import Answers
from civicflow.intake.main import create_app
from civicflow.intake.web.apply import Apply
from civicflow.intake.web.inform import inform_router
from civicflow.intake.web.pages import Pages
from civicflow.intake.web.sign_in import Sessions
from civicflow.intake.web.status import status_router
from civicflow.shared import topics
from civicflow.shared.events import InformationProvided, SubmissionDecided, personal
from civicflow.shared.identity_providers import IdentityProvider
from civicflow.shared.problems import install_problem_handlers
from tests.support.html import hidden
from tests.support.samples import valid_body
from tests.support.sealing import made_keys, recipient, sealer_with_every_key
from tests.unit.fakes import FakePublisher
from tests.unit.intake.fakes import FakeAttachments, FakeRecorder, FakeRelay, FakeSignIns, FakeSubmissions, NoProfiles

SEALER = sealer_with_every_key()
ASKED = "Please send us the number of your trade licence.\nThank you!"
SECRET = "Licence no. GS-4711"  # the citizen's answer, quoted by no refusal


class Site:
    """Intake's API and pages for one application, filed as Erika (in English), and the agency deciding on it."""

    def __init__(self, publisher: FakePublisher | None = None) -> None:
        self.submissions, self.publisher = FakeSubmissions(), publisher or FakePublisher()
        self.intake = Intake(self.submissions, FakeAttachments(), FakeRelay(), SEALER)
        answers = Answers(self.submissions, self.publisher, SEALER)
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
        app.include_router(information_router(answers))
        app.include_router(status_router(apply))
        app.include_router(inform_router(apply, answers))
        self.client = TestClient(app, raise_server_exceptions=False)

    async def filed(self) -> Accepted:
        body = valid_body()
        body["applicant"] = body["applicant"] | {"language": "en"}
        valid = validate_submission(body, Catalogue.bundled())
        assert isinstance(valid, ValidSubmission)
        return await accept_submission(valid, self.intake, TraceContext(None, {}))

    async def decides(self, accepted: Accepted, outcome: str, reason: str = ASKED) -> UUID:
        decided = SubmissionDecided(
            submission_id=accepted.submission_id,
            occurred_at=datetime.now(UTC),
            recipient=recipient(SEALER, accepted.submission_id, "erika@example.org", "en"),
            agency_id="koeln-gewerbe",
            outcome=outcome,
            reason=SEALER.seal(personal.DECISION_REASON, reason, accepted.submission_id),
            decision_id=uuid4(),
        )
        await record_decisions([decided], self.submissions, SEALER)
        return decided.decision_id

    def answer(self, accepted: Accepted, body: Any, token: str | None = None) -> Any:
        return self.client.post(
            f"/v1/submissions/{accepted.submission_id}/information",
            json=body,
            headers={"Authorization": f"Bearer {token or accepted.status_token}"},
        )

    def status(self, accepted: Accepted) -> dict[str, Any]:
        headers = {"Authorization": f"Bearer {accepted.status_token}"}
        found: dict[str, Any] = self.client.get(f"/v1/submissions/{accepted.submission_id}", headers=headers).json()
        return found

    def page(self, accepted: Accepted, lang: str = "en") -> Any:
        return self.client.get(f"/status/{accepted.submission_id}?token={accepted.status_token}&lang={lang}")

    def post_page(self, accepted: Accepted, page: Any, answer: str) -> Any:
        form = {"csrf": hidden(page.text, "csrf"), "token": accepted.status_token, "answer": answer}
        url = f"/status/{accepted.submission_id}/information?lang=en"
        return self.client.post(url, data=form, follow_redirects=False)


def problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body: dict[str, Any] = response.json()
    return body


@pytest.fixture
def site() -> Site:
    return Site()


async def test_the_answer_over_the_api_is_a_202_and_passed_on_once(site: Site) -> None:
    accepted = await site.filed()
    request_id = await site.decides(accepted, "information_requested")
    first = site.answer(accepted, {"answer": SECRET})
    again = site.answer(accepted, {"answer": SECRET})  # a client's retry: the same answer, taken once
    assert first.status_code == again.status_code == 202 and first.headers["cache-control"] == "no-store"
    ((topic, event, key),) = site.publisher.published
    assert (topic, key) == (topics.INFORMATION_PROVIDED, str(accepted.submission_id))
    assert isinstance(event, InformationProvided) and event.request_id == request_id
    status = site.status(accepted)
    assert status["status"] == "information_provided"
    assert status["timeline"][-1] == status["timeline"][-1] | {"request_id": str(request_id), "answer": SECRET}


async def test_the_status_api_has_the_decision_with_the_agencys_reason(site: Site) -> None:
    accepted = await site.filed()
    decision_id = await site.decides(accepted, "information_requested")
    status = site.status(accepted)
    assert status["status"] == "decided"
    decided = status["timeline"][-1]
    assert decided == decided | {
        "step": "decided",
        "outcome": "information_requested",
        "decision_id": str(decision_id),
        "reason": ASKED,
        "agency_id": "koeln-gewerbe",
    }


async def test_an_answer_when_nothing_is_asked_is_a_409(site: Site) -> None:
    accepted = await site.filed()
    asked_nothing = problem(site.answer(accepted, {"answer": SECRET}), 409)
    await site.decides(accepted, "accepted", "Granted.")
    decided = problem(site.answer(accepted, {"answer": SECRET}), 409)
    assert asked_nothing["type"] == decided["type"] == "/problems/not-waiting-for-information"
    assert site.publisher.published == []


@pytest.mark.parametrize(
    ("body", "pointer"),
    [
        ({"answer": f"<b>{SECRET}</b>"}, "/answer"),
        ({"answer": SECRET + "\x00"}, "/answer"),
        ({"answer": SECRET + "x" * 2000}, "/answer"),
        ({"answer": ""}, "/answer"),
        ({"answer": 4711}, "/answer"),
        ({}, "/answer"),
        ({"answer": SECRET, "note": SECRET}, "/note"),
        ([SECRET], ""),
    ],
    ids=["markup", "control", "too-long", "empty", "number", "missing", "unknown-field", "not-an-object"],
)
async def test_an_answer_that_is_no_letter_is_a_422_naming_the_field_without_quoting_it(
    site: Site, body: Any, pointer: str
) -> None:
    accepted = await site.filed()
    await site.decides(accepted, "information_requested")
    response = site.answer(accepted, body)
    refused = problem(response, 422)
    assert [error["pointer"] for error in refused["errors"]] == [pointer]
    assert "GS-4711" not in response.text and "4711" not in response.text
    assert site.publisher.published == [] and site.status(accepted)["status"] == "decided"


async def test_an_unknown_id_a_wrong_or_no_token_is_a_404_as_for_the_status(site: Site) -> None:
    accepted = await site.filed()
    await site.decides(accepted, "information_requested")
    wrong = problem(site.answer(accepted, {"answer": SECRET}, token="guess"), 404)
    unknown = problem(
        site.client.post(
            "/v1/submissions/not-a-uuid/information",
            json={"answer": SECRET},
            headers={"Authorization": f"Bearer {accepted.status_token}"},
        ),
        404,
    )
    anonymous = problem(
        site.client.post(f"/v1/submissions/{accepted.submission_id}/information", json={"answer": SECRET}), 404
    )
    assert wrong["detail"] == unknown["detail"] == anonymous["detail"] and site.publisher.published == []


async def test_when_the_answer_cannot_be_passed_on_it_is_a_503_and_still_asked() -> None:
    site = Site(FakePublisher(fail=True))
    accepted = await site.filed()
    await site.decides(accepted, "information_requested")
    refused = problem(site.answer(accepted, {"answer": SECRET}), 503)
    assert refused["type"] == "/problems/temporarily-unavailable"
    assert site.status(accepted)["status"] == "decided"


async def test_an_oversized_body_is_a_413(site: Site) -> None:
    accepted = await site.filed()
    await site.decides(accepted, "information_requested")
    problem(site.answer(accepted, {"answer": "x" * 20_000}), 413)


@pytest.mark.parametrize(
    ("outcome", "lang", "said"),
    [
        ("accepted", "en", "Your application was accepted"),
        ("accepted", "de", "Ihr Antrag wurde bewilligt"),
        ("rejected", "en", "Your application was rejected"),
        ("rejected", "de", "Ihr Antrag wurde abgelehnt"),
        ("information_requested", "en", "The authority needs more information from you"),
        ("information_requested", "de", "Die Behörde braucht weitere Angaben von Ihnen"),
    ],
)
async def test_the_page_says_the_decision_in_plain_words_with_the_agencys_reason(
    site: Site, outcome: str, lang: str, said: str
) -> None:
    accepted = await site.filed()
    await site.decides(accepted, outcome, "Fee & tax: < 5 EUR.\nSecond line")
    page = site.page(accepted, lang)
    assert page.status_code == 200 and page.headers["cache-control"] == "no-store"
    assert said in page.text and "information_requested<" not in page.text
    # The agency's words as text: escaped, its line break kept for the stylesheet (white-space: pre-line).
    assert '<p class="letter">Fee &amp; tax: &lt; 5 EUR.\nSecond line</p>' in page.text
    assert ('name="answer"' in page.text) == (outcome == "information_requested")


async def test_the_answer_posted_from_the_page_is_taken_and_shown_as_sent(site: Site) -> None:
    accepted = await site.filed()
    await site.decides(accepted, "information_requested")
    page = site.page(accepted)
    assert '<textarea id="answer" name="answer"' in page.text and "civicflow_csrf" in page.cookies
    assert '<label class="label" for="answer">Your answer to the authority</label>' in page.text
    posted = site.post_page(accepted, page, "Licence & no.\r\nGS-4711")
    assert posted.status_code == 303 and posted.headers["cache-control"] == "no-store"
    assert posted.headers["location"] == (
        f"/status/{accepted.submission_id}?token={accepted.status_token}&lang=en#decision"
    )
    ((_, event, _),) = site.publisher.published
    assert isinstance(event, InformationProvided)
    assert SEALER.open(personal.INFORMATION_ANSWER, event.answer, accepted.submission_id) == "Licence & no.\nGS-4711"
    after = site.client.get(posted.headers["location"])
    assert 'name="answer"' not in after.text
    assert '<p class="letter" id="answer-sent">Licence &amp; no.\nGS-4711</p>' in after.text
    assert "We have passed your answer on to the authority." in after.text
    assert "Your answer to the authority" in after.text  # the timeline's step, in words
    again = site.post_page(accepted, page, "Licence & no.\r\nGS-4711")  # a double tap: taken once
    assert again.status_code == 303 and len(site.publisher.published) == 1


async def test_earlier_letters_stay_in_the_timeline_once_the_agency_decided(site: Site) -> None:
    accepted = await site.filed()
    await site.decides(accepted, "information_requested")
    site.answer(accepted, {"answer": SECRET})
    await site.decides(accepted, "accepted", "Granted.")
    page = site.page(accepted)
    assert "Your application was accepted" in page.text and '<p class="letter">Granted.</p>' in page.text
    assert f'<span class="letter">{SECRET}</span>' in page.text and "The authority needs more information" in page.text
    assert 'name="answer"' not in page.text and "as you sent it" not in page.text


async def test_once_the_letters_are_forgotten_the_page_says_so_and_shows_the_steps(site: Site) -> None:
    """After an erasure or the retention (MongoSubmissions forgets a decision's reason and an answer's text)."""
    accepted = await site.filed()
    await site.decides(accepted, "information_requested")
    site.answer(accepted, {"answer": SECRET})
    await site.decides(accepted, "accepted", "Granted.")
    await site.submissions.anonymise([accepted.submission_id])
    page = site.page(accepted)
    assert page.status_code == 200 and "Your application was accepted" in page.text
    assert '<p id="letter-forgotten">We do not keep the wording once the case is closed' in page.text
    assert SECRET not in page.text and "Granted." not in page.text and ASKED not in page.text
    assert "The authority needs more information" in page.text and "Your answer to the authority" in page.text
    status = site.status(accepted)
    assert SECRET not in str(status) and "Granted." not in str(status)


async def test_a_refused_answer_shows_the_page_again_with_what_was_typed_and_why(site: Site) -> None:
    accepted = await site.filed()
    await site.decides(accepted, "information_requested")
    refused = site.post_page(accepted, site.page(accepted), "<b>GS-4711</b>")
    assert refused.status_code == 422 and site.publisher.published == []
    assert "without markup such as &lt;b&gt;" in refused.text and 'aria-invalid="true"' in refused.text
    assert ">&lt;b&gt;GS-4711&lt;/b&gt;</textarea>" in refused.text  # kept for correcting, as text
    empty = site.post_page(accepted, site.page(accepted), "  ")
    assert empty.status_code == 422 and "Please fill in this field." in empty.text


async def test_a_page_post_without_csrf_or_with_a_wrong_token_is_refused(site: Site) -> None:
    accepted = await site.filed()
    await site.decides(accepted, "information_requested")
    page = site.page(accepted)
    url = f"/status/{accepted.submission_id}/information?lang=en"
    forged = site.client.post(url, data={"csrf": "x" * 43, "token": accepted.status_token, "answer": SECRET})
    guessed = site.client.post(url, data={"csrf": hidden(page.text, "csrf"), "token": "guess", "answer": SECRET})
    assert (forged.status_code, guessed.status_code) == (403, 404) and site.publisher.published == []


async def test_a_page_post_when_nothing_is_asked_says_so(site: Site) -> None:
    accepted = await site.filed()
    await site.decides(accepted, "information_requested")
    page = site.page(accepted)
    await site.decides(accepted, "rejected", "Not in time.")
    posted = site.post_page(accepted, page, SECRET)
    assert posted.status_code == 409 and "The authority asks nothing about this application now" in posted.text


async def test_the_page_says_when_the_answer_could_not_be_passed_on() -> None:
    site = Site(FakePublisher(fail=True))
    accepted = await site.filed()
    await site.decides(accepted, "information_requested")
    posted = site.post_page(accepted, site.page(accepted), SECRET)
    assert posted.status_code == 503 and "could not be passed on" in posted.text
    assert 'name="answer"' in site.page(accepted).text  # still asked


def test_the_answer_is_documented_in_the_openapi_document() -> None:
    settings = IntakeSettings(keys=made_keys())
    document = TestClient(create_app(settings)).get("/openapi.json").json()  # never started: no broker, no store
    operation = document["paths"]["/v1/submissions/{submission_id}/information"]["post"]
    assert operation["operationId"] == "provide_information"
    assert {"202", "404", "409", "413", "422", "503"} <= set(operation["responses"])
    schema = operation["requestBody"]["content"]["application/json"]["schema"]
    assert schema["required"] == ["answer"] and schema["additionalProperties"] is False
    assert (schema["properties"]["answer"]["minLength"], schema["properties"]["answer"]["maxLength"]) == (1, 2000)
