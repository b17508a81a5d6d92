"""The rating page as the citizen meets it, with the ports faked: a GET shows the form (a score in the link only
preselects, nothing is recorded), a post from the page records once and thanks, a second says it was rated already,
before the decision the page says when it can be rated, bad input is the page again (422) with the error named and
only the citizen's own comment shown back, escaped; a wrong token or an unknown id is the status page's not-found."""

from datetime import UTC, datetime
from typing import Any
from uuid import UUID, uuid4

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from civicflow.intake.adapters.http_oidc import OidcProvider
from civicflow.intake.domain.catalogue import Catalogue
from civicflow.intake.domain.validation import ValidSubmission, validate_submission
from civicflow.intake.handlers import Accepted, Intake, TraceContext, accept_submission, record_decisions
from civicflow.intake.ratings import Ratings
from civicflow.intake.web.apply import Apply
from civicflow.intake.web.pages import Pages
from civicflow.intake.web.rating import rating_router
from civicflow.intake.web.sign_in import Sessions
from civicflow.intake.web.status import status_router
from civicflow.shared.events import SubmissionDecided, personal
from civicflow.shared.identity_providers import IdentityProvider
from civicflow.shared.problems import install_problem_handlers
from tests.support.html import hidden
from tests.support.samples import valid_body
from tests.support.sealing import recipient, sealer_with_every_key
from tests.unit.intake.fakes import FakeAttachments, FakeRecorder, FakeRelay, FakeSignIns, FakeSubmissions, NoProfiles
from tests.unit.intake.rating_fakes import FakeRatings

SEALER = sealer_with_every_key()
HOSTILE = '<script>alert("rated")</script> & more'
CSRF = "c" * 43


class Site:
    """Intake's status and rating pages for one application, filed as Erika, and the agency deciding on it."""

    def __init__(self) -> None:
        self.submissions, self.relay, self.store = FakeSubmissions(), FakeRelay(), FakeRatings()
        self.intake = Intake(self.submissions, FakeAttachments(), self.relay, SEALER)
        provider = OidcProvider(
            IdentityProvider(name="dev", issuer="http://idp.invalid", audience="civicflow"), b"k" * 32
        )
        apply = Apply(
            Pages("https://antrag.example"),
            Catalogue.bundled(),
            self.intake,
            FakeRecorder(),
            Sessions(FakeSignIns(), (provider,), "https://antrag.example"),
            secure_cookies=False,
            profiles=NoProfiles(),
        )
        app = FastAPI()
        install_problem_handlers(app)
        app.include_router(status_router(apply))
        app.include_router(rating_router(apply, Ratings(self.store, self.relay)))
        self.client = TestClient(app, raise_server_exceptions=False)
        self.accepted = Accepted(UUID(int=0), "received", "")

    async def filed(self) -> Accepted:
        valid = validate_submission(valid_body(), Catalogue.bundled())
        assert isinstance(valid, ValidSubmission)
        self.accepted = await accept_submission(valid, self.intake, TraceContext(None, {}))
        return self.accepted

    async def decides(self, outcome: str) -> None:
        submission_id = self.accepted.submission_id
        decided = SubmissionDecided(
            submission_id=submission_id,
            occurred_at=datetime.now(UTC),
            recipient=recipient(SEALER, submission_id, "erika@example.org"),
            agency_id="koeln-gewerbe",
            outcome=outcome,
            reason=SEALER.seal(personal.DECISION_REASON, "Entschieden.", submission_id),
            decision_id=uuid4(),
        )
        await record_decisions([decided], self.submissions, SEALER)

    def page(self, query: str = "", token: str | None = None) -> Any:
        token = self.accepted.status_token if token is None else token
        return self.client.get(f"/status/{self.accepted.submission_id}/rating?token={token}&lang=en{query}")

    def rate(self, page: Any, **fields: str) -> Any:
        form = {"csrf": hidden(page.text, "csrf"), "token": self.accepted.status_token} | fields
        url = f"/status/{self.accepted.submission_id}/rating?lang=en"
        return self.client.post(url, data=form, follow_redirects=False)

    def events(self) -> int:
        """How many ratings were handed to the relay (the first handoff is the submission's own event)."""
        return len(self.relay.handed_off) - 1


@pytest.fixture
async def site() -> Site:
    site = Site()
    await site.filed()
    return site


async def test_the_form_has_five_submit_buttons_and_a_comment_and_a_get_records_nothing(site: Site) -> None:
    await site.decides("accepted")
    page = site.page("&score=5")
    assert page.status_code == 200 and page.headers["cache-control"] == "no-store"
    assert "civicflow_csrf" in page.cookies
    for score in range(1, 6):
        assert f'<button type="submit" name="score" value="{score}" id="score-{score}"' in page.text
    assert 'class="button">5 \u2013 very satisfied</button>' in page.text  # preselected, not recorded
    assert 'class="button button-secondary">4 \u2013 satisfied</button>' in page.text
    assert 'id="score-preselected"' in page.text
    assert '<textarea id="comment" name="comment" rows="5" maxlength="1000"' in page.text
    assert site.store.kept == {} and site.events() == 0


async def test_a_click_records_the_rating_once_and_thanks(site: Site) -> None:
    await site.decides("rejected")
    page = site.page()
    rated = site.rate(page, score="4", comment="Quick, but\r\nthe letter was hard to read.")
    assert rated.status_code == 303 and rated.headers["cache-control"] == "no-store"
    location = rated.headers["location"]
    assert location == (
        f"/status/{site.accepted.submission_id}/rating?token={site.accepted.status_token}&lang=en&rated=1"
    )
    kept = site.store.kept[site.accepted.submission_id]
    assert (kept.score, kept.comment, kept.outcome, kept.language) == (
        4,
        "Quick, but\nthe letter was hard to read.",
        "rejected",
        "en",
    )
    assert site.events() == 1
    thanked = site.client.get(location)
    assert "Thank you for your rating!" in thanked.text and "Your rating: 4 \u2013 satisfied" in thanked.text
    assert 'name="score"' not in thanked.text

    again = site.rate(page, score="1")
    assert again.status_code == 409 and "You have rated this application already. Thank you!" in again.text
    mistyped = site.rate(page, score="9")
    assert mistyped.status_code == 409 and 'role="alert"' not in mistyped.text and 'name="score"' not in mistyped.text
    assert site.store.kept[site.accepted.submission_id] == kept and site.events() == 1
    later = site.page("&score=1")
    assert "You have rated this application already" in later.text and 'name="score"' not in later.text


async def test_before_the_decision_the_page_says_it_can_be_rated_then_and_a_post_records_nothing(site: Site) -> None:
    page = site.page("&score=5")
    assert page.status_code == 200 and "once the authority has decided" in page.text
    assert 'name="score"' not in page.text
    await site.decides("information_requested")
    assert "once the authority has decided" in site.page().text
    # A post all the same (a form kept from elsewhere, with this browser's CSRF token).
    site.client.cookies.set("civicflow_csrf", CSRF)
    url = f"/status/{site.accepted.submission_id}/rating?lang=en"
    posted = site.client.post(url, data={"csrf": CSRF, "token": site.accepted.status_token, "score": "5"})
    assert posted.status_code == 409 and "once the authority has decided" in posted.text
    assert site.store.kept == {} and site.events() == 0


@pytest.mark.parametrize(
    ("fields", "named", "target"),
    [
        ({"score": "6"}, "Please choose a rating from 1 to 5.", "score-1"),
        ({"score": "five"}, "Please choose a rating from 1 to 5.", "score-1"),
        ({"comment": HOSTILE}, "Please choose a rating from 1 to 5.", "score-1"),
        ({"score": "3", "comment": HOSTILE + "x" * 1000}, "Your comment is too long", "comment"),
        ({"score": "3", "comment": HOSTILE + "\x07"}, "Please use visible characters only", "comment"),
    ],
    ids=["out-of-range", "no-number", "no-score", "too-long", "control"],
)
async def test_bad_input_is_the_page_again_naming_the_error_with_the_comment_escaped(
    site: Site, fields: dict[str, str], named: str, target: str
) -> None:
    await site.decides("accepted")
    refused = site.rate(site.page(), **fields)
    assert refused.status_code == 422 and refused.headers["cache-control"] == "no-store"
    assert named in refused.text and f'<a href="#{target}">' in refused.text and 'role="alert"' in refused.text
    assert "<script>" not in refused.text
    if "comment" in fields:
        assert "&lt;script&gt;alert(&#34;rated&#34;)&lt;/script&gt; &amp; more" in refused.text
    assert 'value="five"' not in refused.text and ">five<" not in refused.text  # the score typed is not echoed
    assert site.store.kept == {} and site.events() == 0


async def test_a_wrong_token_or_an_unknown_id_is_the_same_not_found(site: Site) -> None:
    await site.decides("accepted")
    wrong = site.page(token="guess")
    unknown = site.client.get(f"/status/{uuid4()}/rating?token={site.accepted.status_token}&lang=en")
    malformed = site.client.get(f"/status/not-a-uuid/rating?token={site.accepted.status_token}&lang=en")
    assert wrong.status_code == unknown.status_code == malformed.status_code == 404
    assert wrong.text == unknown.text.replace(str(unknown.url.path), str(wrong.url.path))
    page = site.page()
    forged = site.client.post(
        f"/status/{site.accepted.submission_id}/rating?lang=en",
        data={"csrf": hidden(page.text, "csrf"), "token": "guess", "score": "5"},
        follow_redirects=False,
    )
    assert forged.status_code == 404 and site.store.kept == {}


async def test_a_post_without_the_csrf_token_or_not_a_form_records_nothing(site: Site) -> None:
    await site.decides("accepted")
    site.page()
    url = f"/status/{site.accepted.submission_id}/rating?lang=en"
    no_csrf = site.client.post(url, data={"token": site.accepted.status_token, "score": "5"})
    assert no_csrf.status_code == 403
    as_json = site.client.post(url, json={"token": site.accepted.status_token, "score": 5})
    assert as_json.status_code == 415
    assert site.store.kept == {} and site.events() == 0


async def test_a_store_down_is_a_503_and_nothing_kept(site: Site) -> None:
    await site.decides("accepted")
    page = site.page()
    site.store.failing = True
    refused = site.rate(page, score="2")
    assert refused.status_code == 503 and "Your rating could not be stored just now" in refused.text
    assert site.events() == 0


async def test_the_status_page_links_the_rating_once_the_case_is_closed(site: Site) -> None:
    status = f"/status/{site.accepted.submission_id}?token={site.accepted.status_token}&lang=en"
    assert 'id="rate"' not in site.client.get(status).text
    await site.decides("accepted")
    link = f'href="/status/{site.accepted.submission_id}/rating?token={site.accepted.status_token}&amp;lang=en"'
    assert link in site.client.get(status).text


async def test_the_page_speaks_german_by_default(site: Site) -> None:
    await site.decides("accepted")
    page = site.client.get(f"/status/{site.accepted.submission_id}/rating?token={site.accepted.status_token}")
    assert '<html lang="de">' in page.text and "Wie zufrieden sind Sie?" in page.text
    assert "5 \u2013 sehr zufrieden" in page.text
