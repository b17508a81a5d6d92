"""The citizen's pages with the ports faked: fill, errors shown where they belong with the values kept, check,
submit once however often the page is sent, follow the status; CSRF refused; no answer kept by a cache."""

import json
import re
from datetime import UTC, date, datetime
from uuid import UUID, uuid4

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from civicflow.intake.adapters.http_oidc import OidcProvider
from civicflow.intake.domain.catalogue import Catalogue
from civicflow.intake.domain.sign_in import SignedIn
from civicflow.intake.domain.submission import TimelineEntry
from civicflow.intake.handlers import Intake
from civicflow.intake.web import csrf
from civicflow.intake.web.apply import Apply, apply_router
from civicflow.intake.web.pages import Pages
from civicflow.intake.web.sign_in import SESSION_COOKIE, Sessions
from civicflow.intake.web.status import status_router
from civicflow.shared.events import Step
from civicflow.shared.events.identity import LevelOfAssurance
from civicflow.shared.identity_providers import IdentityProvider
from tests.support import sample_files
from tests.support.html import hidden
from tests.support.sealing import sealer_with_every_key
from tests.unit.intake.fakes import FakeAttachments, FakeRecorder, FakeRelay, FakeSignIns, FakeSubmissions, NoProfiles

RENT_CHECK = "99116002000000"
ANSWERS = {
    "applicant.given_name": "Erika",
    "applicant.family_name": "Mustermann",
    "applicant.birth_date": "12.08.1964",
    "applicant.email": "erika@example.org",
    "applicant.address.street": "Heidestraße 17",
    "applicant.address.postal_code": "51147",
    "applicant.address.city": "Köln",
    "form.current_rent": "700",
    "form.requested_rent": "770,50",
    "form.living_space": "62",
    "form.letter_date": "02.11.2026",
}


class Site:
    def __init__(self) -> None:
        self.submissions, self.relay, self.attachments = FakeSubmissions(), FakeRelay(), FakeAttachments()
        self.experience, self.sign_ins = FakeRecorder(), FakeSignIns()
        provider = OidcProvider(
            IdentityProvider(name="dev", issuer="http://idp.invalid", audience="civicflow"), b"k" * 32
        )
        sessions = Sessions(self.sign_ins, (provider,), "https://antrag.example")
        catalogue = Catalogue.bundled()
        intake = Intake(self.submissions, self.attachments, self.relay, sealer_with_every_key())
        app = FastAPI()
        apply = Apply(
            Pages("https://antrag.example"),
            catalogue,
            intake,
            self.experience,
            sessions,
            secure_cookies=False,
            profiles=NoProfiles(),
        )
        app.include_router(apply_router(apply))
        app.include_router(status_router(apply))
        self.client = TestClient(app, raise_server_exceptions=False)

    def token(self) -> str:
        page = self.client.get(f"/services/{RENT_CHECK}/apply")
        assert page.status_code == 200 and page.headers["cache-control"] == "no-store"
        return hidden(page.text, "csrf")


@pytest.fixture
def site() -> Site:
    return Site()


LETTER = {"files": ("Mieterhöhung.pdf", sample_files.pdf(), "application/pdf")}


def test_a_complete_form_leads_to_the_summary_and_one_application(site: Site) -> None:
    token = site.token()
    summary = site.client.post(f"/services/{RENT_CHECK}/apply?lang=en", data={**ANSWERS, "csrf": token}, files=LETTER)
    assert summary.status_code == 200, summary.text
    assert "Check your answers" in summary.text and "Heidestraße 17" in summary.text
    assert "Mieterhöhung.pdf" in summary.text
    key, attachment = hidden(summary.text, "key"), hidden(summary.text, "attachment")
    sent = {**ANSWERS, "csrf": token, "key": key, "attachment": attachment}
    first = site.client.post(f"/services/{RENT_CHECK}/submit?lang=en", data=sent, follow_redirects=False)
    again = site.client.post(f"/services/{RENT_CHECK}/submit?lang=en", data=sent, follow_redirects=False)
    assert first.status_code == 303 and first.headers["location"] == again.headers["location"]
    assert len(site.submissions.records) == 1 and len(site.relay.handed_off) == 1
    record = next(iter(site.submissions.records.values()))
    assert record.form == {
        "current_rent": 700.0,
        "requested_rent": 770.5,
        "living_space": 62.0,
        "letter_date": "2026-11-02",
    }
    assert record.applicant["birth_date"] == "1964-08-12" and record.applicant["language"] == "en"
    assert site.attachments.stored[UUID(attachment)].submission_id == record.submission_id
    kinds = [event.kind for event in site.experience.steps]
    assert kinds == ["form_started", "summary_reached", "submitted"]
    status = site.client.get(first.headers["location"])
    assert status.status_code == 200 and status.headers["cache-control"] == "no-store"
    assert str(record.submission_id) in status.text and "Application received" in status.text


def test_errors_are_summarised_and_shown_at_their_fields_with_the_values_kept(site: Site) -> None:
    token = site.token()
    answers = {**ANSWERS, "applicant.address.postal_code": "5114", "form.letter_date": "", "csrf": token}
    disguised = {"files": ("letter.pdf", sample_files.png(), "application/pdf")}
    page = site.client.post(f"/services/{RENT_CHECK}/apply?lang=en", data=answers, files=disguised)
    assert page.status_code == 422
    assert page.text.count('<li><a href="#f-') == 3
    assert "letter.pdf is not a PDF file: its content is a PNG image." in page.text
    assert 'href="#f-applicant-address-postal_code"' in page.text and 'href="#f-form-letter_date"' in page.text
    assert 'id="f-form-letter_date" name="form.letter_date" aria-describedby="f-form-letter_date-hint' in page.text
    assert 'value="5114"' in page.text and 'value="Heidestraße 17"' in page.text
    assert "<title>Error:" in page.text
    assert site.submissions.records == {} and site.attachments.stored == {}
    failed = [event.field for event in site.experience.steps if event.kind == "validation_failed"]
    assert sorted(str(field) for field in failed) == [
        "/applicant/address/postal_code",
        "/attachments",
        "/form/letter_date",
    ]


def test_a_file_attached_once_is_kept_until_it_is_unticked(site: Site) -> None:
    token = site.token()
    first = site.client.post(
        f"/services/{RENT_CHECK}/apply", data={**ANSWERS, "form.living_space": "", "csrf": token}, files=LETTER
    )
    assert first.status_code == 422 and "Mieterhöhung.pdf" in first.text
    kept = re.findall(r'name="attachment" value="([^"]+)" checked', first.text)
    assert len(kept) == 1
    again = site.client.post(f"/services/{RENT_CHECK}/apply", data={**ANSWERS, "csrf": token, "attachment": kept})
    assert again.status_code == 200 and hidden(again.text, "attachment") == kept[0]
    unticked = site.client.post(f"/services/{RENT_CHECK}/apply", data={**ANSWERS, "csrf": token})
    assert unticked.status_code == 422 and 'href="#f-files"' in unticked.text


def test_a_post_without_the_csrf_token_or_from_another_site_is_refused(site: Site) -> None:
    token = site.token()
    missing = site.client.post(f"/services/{RENT_CHECK}/apply", data=ANSWERS)
    forged = site.client.post(f"/services/{RENT_CHECK}/apply", data={**ANSWERS, csrf.FIELD: "x" * 43})
    elsewhere = site.client.post(
        f"/services/{RENT_CHECK}/apply", data={**ANSWERS, "csrf": token}, headers={"Origin": "https://evil.example"}
    )
    assert [missing.status_code, forged.status_code, elsewhere.status_code] == [403, 403, 403]


@pytest.mark.parametrize("origin", ["http://testserver", "null"])
def test_a_post_from_this_site_passes_and_the_pages_let_the_browser_say_so(site: Site, origin: str) -> None:
    # Under Referrer-Policy: no-referrer a browser sends "Origin: null" even to the page's own site (Fetch
    # standard): the pages send same-origin, so that a browser names this site, and "null" is left to the token.
    page = site.client.get(f"/services/{RENT_CHECK}/apply")
    assert page.headers["referrer-policy"] == "same-origin"
    posted = site.client.post(
        f"/services/{RENT_CHECK}/apply",
        data={**ANSWERS, "csrf": hidden(page.text, "csrf")},
        files=LETTER,
        headers={"Origin": origin},
    )
    assert posted.status_code == 200, posted.text


def test_markup_in_a_file_name_is_shown_as_text(site: Site) -> None:
    token = site.token()
    answers = {**ANSWERS, "csrf": token}
    evil_name = {"files": ("<img src=x onerror=alert(1)>.pdf", sample_files.pdf(), "application/pdf")}
    summary = site.client.post(f"/services/{RENT_CHECK}/apply", data=answers, files=evil_name)
    assert summary.status_code == 200
    assert "<img src=x" not in summary.text and "&lt;img src=x" in summary.text


def test_markup_in_an_answer_is_refused_and_shown_back_as_text(site: Site) -> None:
    token = site.token()
    answers = {**ANSWERS, "form.question": '<script>alert("x")</script>', "csrf": token}
    page = site.client.post(f"/services/{RENT_CHECK}/apply", data=answers)
    assert page.status_code == 422 and "ohne Auszeichnungen" in page.text
    assert "<script>alert" not in page.text and "&lt;script&gt;" in page.text


BUSINESS = "99050012104000"  # needs "substantial"


def signed_in(level: LevelOfAssurance) -> SignedIn:
    return SignedIn(
        "Erika",
        "Mustermann",
        date(1964, 8, 12),
        level,
        datetime.now(UTC),
        id_token="signed.id.token",
        citizen_id="a" * 32,
    )


def test_a_service_that_needs_identity_asks_to_sign_in_first(site: Site) -> None:
    page = site.client.get(f"/services/{BUSINESS}/apply?lang=en")
    assert page.status_code == 200 and "online ID card" in page.text and "<form" not in page.text
    assert f'href="/sign-in?service_id={BUSINESS}&amp;lang=en"' in page.text
    posted = site.client.post(f"/services/{BUSINESS}/apply", data={**ANSWERS, "csrf": site.token()})
    assert posted.status_code == 404


def test_signed_in_too_low_the_page_offers_to_sign_in_again_stronger(site: Site) -> None:
    site.sign_ins.sessions["s" * 43] = signed_in("low")
    site.client.cookies.set(SESSION_COOKIE, "s" * 43)
    page = site.client.get(f"/services/{BUSINESS}/apply?lang=en")
    assert "You signed in with the proof" in page.text and "Sign in with a stronger proof" in page.text


def test_signed_in_the_confirmed_details_are_filled_in_and_the_sign_in_files_one_application(site: Site) -> None:
    site.sign_ins.sessions["s" * 43] = signed_in("substantial")
    site.client.cookies.set(SESSION_COOKIE, "s" * 43)
    page = site.client.get(f"/services/{BUSINESS}/apply?lang=en")
    assert page.status_code == 200 and "12.08.1964" in page.text and 'name="applicant.given_name"' not in page.text
    token = hidden(page.text, "csrf")
    form = {
        "form.business_name": "Mustermann Webdesign",
        "form.activity": "Webseiten gestalten",
        "form.legal_form": "einzelunternehmen",
        "form.start_date": "01.12.2026",
    }
    typed = {key: value for key, value in ANSWERS.items() if key.startswith("applicant.")}
    typed |= {"applicant.given_name": "Mallory", "applicant.address.postal_code": "51147", "csrf": token}
    summary = site.client.post(f"/services/{BUSINESS}/apply?lang=en", data=typed | form)
    assert summary.status_code == 200, summary.text
    assert "Mallory" not in summary.text  # the name comes from the sign-in, never from the form
    sent = typed | form | {"key": hidden(summary.text, "key")}
    filed = site.client.post(f"/services/{BUSINESS}/submit?lang=en", data=sent, follow_redirects=False)
    assert filed.status_code == 303
    record = next(iter(site.submissions.records.values()))
    assert record.applicant["given_name"] == "Erika"
    assert json.loads(site.relay.handed_off[0].value)["identity_token"] is not None
    assert site.sign_ins.sessions == {}  # one sign-in, one application


def test_a_status_link_with_a_wrong_token_finds_nothing(site: Site) -> None:
    page = site.client.get("/status/00000000-0000-4000-8000-000000000000?token=guess")
    assert page.status_code == 404 and "nicht gefunden" in page.text
    assert site.client.get("/status/not-a-uuid").status_code == 404


def test_the_form_may_run_only_this_sites_script_which_reports_an_abandoned_visit(site: Site) -> None:
    page = site.client.get(f"/services/{RENT_CHECK}/apply")
    policy = page.headers["content-security-policy"]
    assert "script-src 'self'" in policy and "default-src 'none'" in policy and "unsafe" not in policy
    assert '<script src="/static/journey.js" defer></script>' in page.text
    journey = re.search(r'data-journey="([0-9a-f-]{36})" data-service="99116002000000"', page.text)
    assert journey is not None and hidden(page.text, "journey") == journey.group(1)


async def test_the_status_page_says_in_plain_words_why_an_application_stopped(site: Site) -> None:
    token = site.token()
    summary = site.client.post(f"/services/{RENT_CHECK}/apply?lang=en", data={**ANSWERS, "csrf": token}, files=LETTER)
    sent = {
        **ANSWERS,
        "csrf": token,
        "key": hidden(summary.text, "key"),
        "attachment": hidden(summary.text, "attachment"),
    }
    location = site.client.post(f"/services/{RENT_CHECK}/submit?lang=en", data=sent, follow_redirects=False)
    record = next(iter(site.submissions.records.values()))
    rejected = TimelineEntry(
        event_id=uuid4(),
        submission_id=record.submission_id,
        step=Step.REJECTED,
        at=datetime.now(UTC),
        detail={"reason": "applicant_mismatch"},
    )
    await site.submissions.record_steps([rejected])
    page = site.client.get(location.headers["location"])
    assert "Identity not confirmed" in page.text
    assert "does not match your proof of identity" in page.text and "applicant_mismatch" not in page.text


@pytest.mark.parametrize(
    ("headers", "body", "status"),
    [
        ({"Content-Type": "application/json"}, b"{}", 415),
        ({"Content-Type": "multipart/form-data; boundary=x"}, b"--x\r\nnot a part\r\n--", 400),
        ({"Content-Type": "application/x-www-form-urlencoded", "Content-Length": str(10**9)}, b"a=b", 413),
        ({"Content-Type": "application/x-www-form-urlencoded"}, b"&".join([b"f=v"] * 500), 400),
    ],
    ids=["not-a-form", "malformed-multipart", "declared-too-large", "too-many-fields"],
)
def test_a_hostile_form_post_gets_a_page_saying_so_never_a_500(
    site: Site, headers: dict[str, str], body: bytes, status: int
) -> None:
    site.token()
    page = site.client.post(f"/services/{RENT_CHECK}/apply", content=body, headers=headers)
    assert page.status_code == status, page.text
    assert page.headers["content-type"].startswith("text/html") and "<h1>" in page.text
    assert site.submissions.records == {}
