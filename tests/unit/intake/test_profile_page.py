"""The citizen's profile page, with the ports faked: it needs a sign-in (at any level, coming back to the profile);
it shows every value with its source and time, the citizen's own applications in plain words, and a form for the
contact preferences (CSRF-checked, refused with the reason at the field, published, then said to be saved); erasing
is asked once more, then done and signed out; what could not be published is a page saying so."""

import re
from collections.abc import Sequence
from datetime import UTC, date, datetime
from urllib.parse import parse_qsl, urlsplit
from uuid import UUID

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from civicflow.intake.adapters.http_oidc import OidcProvider
from civicflow.intake.domain.catalogue import Catalogue, ServiceSpec
from civicflow.intake.domain.profile import ProfileValue
from civicflow.intake.domain.sign_in import PendingSignIn, SignedIn
from civicflow.intake.profiles import NotPublished, OwnSubmission
from civicflow.intake.web.pages import Pages
from civicflow.intake.web.profile import ProfilePages, profile_pages_router
from civicflow.intake.web.sign_in import SESSION_COOKIE, STATE_COOKIE, Sessions, sign_in_router
from civicflow.shared.events import ContactPreferences, Profile
from civicflow.shared.events.identity import LevelOfAssurance
from civicflow.shared.identity_providers import IdentityProvider
from tests.support.html import hidden
from tests.unit.intake.fakes import FakeSignIns

SESSION = "s" * 43
ERIKA = "e" * 32
VERIFIED_AT = datetime(2026, 11, 12, 9, 30, tzinfo=UTC)  # 10:30 in Germany
GIVEN_AT = datetime(2026, 11, 12, 9, 31, tzinfo=UTC)
CHANGED_AT = datetime(2026, 11, 20, 8, 0, tzinfo=UTC)
BUSINESS, PARKING = "99050012104000", "99108001001000"
FIRST, SECOND = UUID("00000000-0000-4000-8000-000000000001"), UUID("00000000-0000-4000-8000-000000000002")
PROFILE = Profile.model_validate(
    {
        "verified": {
            "given_name": "Erika",
            "family_name": "Mustermann",
            "birth_date": "1964-08-12",
            "level_of_assurance": "substantial",
            "provider": "BundID",
            "verified_at": VERIFIED_AT,
        },
        "address": {"street": "Heidestraße 17", "postal_code": "51147", "city": "Köln"},
        "address_given_at": GIVEN_AT,
        "contact": {"email": "erika@example.org", "language": "de", "channel": "email"},
        "contact_given_in": "profile",
        "contact_given_at": CHANGED_AT,
    }
)


def proven(name: str, value: str) -> ProfileValue:
    return ProfileValue(name, value, True, "identity_provider", "BundID", VERIFIED_AT)


VALUES = [
    proven("applicant.given_name", "Erika"),
    proven("applicant.family_name", "Mustermann"),
    proven("applicant.birth_date", "12.08.1964"),
    ProfileValue("applicant.email", "erika@example.org", False, "profile", "", CHANGED_AT),
    ProfileValue("applicant.address.street", "Heidestraße 17", False, "application", "", GIVEN_AT),
    ProfileValue("applicant.address.postal_code", "51147", False, "application", "", GIVEN_AT),
    ProfileValue("applicant.address.city", "Köln", False, "application", "", GIVEN_AT),
    ProfileValue("contact.language", "de", False, "profile", "", CHANGED_AT),
    ProfileValue("contact.channel", "email", False, "profile", "", CHANGED_AT),
]
OWN = [
    OwnSubmission(SECOND, PARKING, datetime(2026, 11, 13, 10, 0, tzinfo=UTC), "received"),
    OwnSubmission(FIRST, BUSINESS, GIVEN_AT, "routed"),
]


class FakeProfiles:
    def __init__(self) -> None:
        self.profiles: dict[str, Profile] = {}
        self.own: dict[str, list[OwnSubmission]] = {}
        self.changed: list[tuple[str, ContactPreferences]] = []
        self.erased: list[str] = []
        self.publishing, self.reading = True, True

    async def profile(self, citizen_id: str) -> Profile | None:
        if not self.reading:
            raise ConnectionError("store down")
        return self.profiles.get(citizen_id)

    async def values(self, citizen_id: str) -> list[ProfileValue]:
        return VALUES if citizen_id in self.profiles else []

    async def prefill(self, citizen_id: str, spec: ServiceSpec) -> list[ProfileValue]:
        raise AssertionError("the profile page fills no form")

    async def change_contact(self, citizen_id: str, contact: ContactPreferences) -> None:
        if not self.publishing:
            raise NotPublished
        self.changed.append((citizen_id, contact))

    async def submissions(self, citizen_id: str) -> Sequence[OwnSubmission]:
        return self.own.get(citizen_id, [])

    async def erase(self, citizen_id: str) -> None:
        if not self.publishing:
            raise NotPublished
        self.erased.append(citizen_id)
        self.profiles.pop(citizen_id, None)
        self.own.pop(citizen_id, None)


class DevProvider(OidcProvider):
    """The provider's side of the round trip, without its server: it asserts Erika at whatever level was asked."""

    def __init__(self) -> None:
        super().__init__(IdentityProvider(name="dev", issuer="http://idp.invalid", audience="civicflow"), b"k" * 32)
        self.asked: list[LevelOfAssurance] = []

    async def authorization_url(self, pending: PendingSignIn, redirect_uri: str, level: LevelOfAssurance) -> str:
        self.asked.append(level)
        return f"https://idp.invalid/authorize?state={pending.state}"

    async def sign_in(self, code: str, pending: PendingSignIn, redirect_uri: str) -> SignedIn | None:
        return erika(self.asked[-1])


def erika(level: LevelOfAssurance = "low") -> SignedIn:
    return SignedIn(
        "Erika", "Mustermann", date(1964, 8, 12), level, datetime.now(UTC), id_token="id.token", citizen_id=ERIKA
    )


class Site:
    def __init__(self) -> None:
        self.profiles, self.sign_ins, self.provider = FakeProfiles(), FakeSignIns(), DevProvider()
        sessions = Sessions(self.sign_ins, (self.provider,), "https://antrag.example")
        pages, catalogue = Pages("https://antrag.example"), Catalogue.bundled()
        app = FastAPI()
        app.include_router(sign_in_router(sessions, catalogue, pages))
        app.include_router(profile_pages_router(ProfilePages(pages, catalogue, sessions, self.profiles, False)))
        self.client = TestClient(app, raise_server_exceptions=False)

    def sign_in(self) -> None:
        self.sign_ins.sessions[SESSION] = erika()
        self.client.cookies.set(SESSION_COOKIE, SESSION)

    def with_profile(self) -> None:
        self.profiles.profiles[ERIKA] = PROFILE
        self.profiles.own[ERIKA] = OWN
        self.sign_in()

    def page(self, lang: str = "en") -> str:
        shown = self.client.get(f"/profile?lang={lang}")
        assert shown.status_code == 200, shown.text
        assert shown.headers["cache-control"] == "no-store"
        return str(shown.text)

    def change(self, contact: dict[str, str]) -> httpx.Response:
        token = hidden(self.page(), "csrf")
        form = {f"contact.{name}": value for name, value in contact.items()} | {"csrf": token}
        posted: httpx.Response = self.client.post("/profile/contact?lang=en", data=form, follow_redirects=False)
        return posted


@pytest.fixture
def site() -> Site:
    return Site()


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_not_signed_in_the_page_offers_to_sign_in_and_comes_back_to_the_profile(site: Site) -> None:
    page = site.client.get("/profile?lang=en")
    assert page.status_code == 200 and "Sign in to see your profile" in page.text
    assert 'id="sign-in" href="/sign-in?next=profile&amp;lang=en"' in page.text
    begun = site.client.get("/sign-in?next=profile&lang=en", follow_redirects=False)
    assert begun.status_code == 303 and site.provider.asked == ["low"]  # any proof of identity will do
    pending = next(iter(site.sign_ins.pending.values()))
    assert pending.service_id == ""
    state = dict(parse_qsl(urlsplit(begun.headers["location"]).query))["state"]
    site.client.cookies.set(STATE_COOKIE, state, path="/sign-in")
    back = site.client.get(f"/sign-in/callback?code=c0de&state={state}", follow_redirects=False)
    assert back.status_code == 303 and back.headers["location"] == "/profile?lang=en"
    (token,) = site.sign_ins.sessions  # the cookie is Secure: the test client, on http, would not send it back
    site.client.cookies.set(SESSION_COOKIE, token)
    assert "You have no profile." in site.page()


def test_the_sign_in_for_a_service_still_returns_to_its_form(site: Site) -> None:
    begun = site.client.get(f"/sign-in?service_id={BUSINESS}", follow_redirects=False)
    assert begun.status_code == 303 and site.provider.asked == ["substantial"]
    state = dict(parse_qsl(urlsplit(begun.headers["location"]).query))["state"]
    site.client.cookies.set(STATE_COOKIE, state, path="/sign-in")
    back = site.client.get(f"/sign-in/callback?code=c0de&state={state}", follow_redirects=False)
    assert back.headers["location"] == f"/services/{BUSINESS}/apply?lang=de"


def test_a_sign_in_for_nothing_it_knows_is_not_found(site: Site) -> None:
    assert site.client.get("/sign-in?next=elsewhere").status_code == 404
    assert site.client.get(f"/sign-in?next=profile&service_id={BUSINESS}x").status_code == 404


def test_every_value_is_shown_with_where_it_came_from_and_when(site: Site) -> None:
    site.with_profile()
    shown = text_of(site.page())
    assert "First name Erika confirmed confirmed by BundID on 12.11.2026 10:30" in shown
    assert "Date of birth 12.08.1964 confirmed" in shown
    assert "Street and number Heidestraße 17 given in your application of 12.11.2026" in shown
    assert "Email address erika@example.org changed on this page on 20.11.2026" in shown
    assert "Language Deutsch" in shown and "Get messages by Email" in shown
    german = text_of(site.page("de"))
    assert "Vorname Erika bestätigt bestätigt von BundID am 12.11.2026 10:30" in german
    assert "Ort Köln angegeben in Ihrem Antrag vom 12.11.2026" in german


def test_the_own_applications_are_listed_with_their_service_and_status_in_plain_words(site: Site) -> None:
    site.with_profile()
    shown = text_of(site.page())
    assert "Apply for a resident parking permit Received on 13.11.2026: Application received" in shown
    assert "Register a business Received on 12.11.2026: Passed on to the responsible authority" in shown
    assert shown.index("resident parking") < shown.index("Register a business")  # newest first, as given
    german = text_of(site.page("de"))
    assert "An die zuständige Behörde weitergeleitet" in german


def test_without_a_profile_the_page_says_so_and_how_to_get_one(site: Site) -> None:
    site.sign_in()
    shown = site.page()
    assert "You have no profile." in shown and "tick the box to keep" in shown
    assert "/profile/contact" not in shown and 'id="erase"' not in shown
    assert "Sie haben kein Profil." in site.page("de")


def test_the_contact_preferences_are_changed_and_the_page_says_the_change_is_saved(site: Site) -> None:
    site.with_profile()
    page = site.page()
    assert re.search(r'id="f-contact-email" name="contact.email"[^>]*value="erika@example.org"', page)
    assert re.search(r'name="contact.language" value="de" checked', page)
    changed = site.change({"email": "erika.m@example.org", "language": "en", "channel": "email"})
    assert changed.status_code == 303 and changed.headers["location"] == "/profile?lang=en&saved=1"
    assert site.profiles.changed == [
        (ERIKA, ContactPreferences(email="erika.m@example.org", language="en", channel="email"))
    ]
    saved = site.client.get("/profile?lang=en&saved=1")
    assert 'role="status"' in saved.text and "Your change is saved. It shows here in a few moments." in saved.text


def test_contact_preferences_that_are_not_valid_come_back_with_the_reason_at_the_field(site: Site) -> None:
    site.with_profile()
    refused = site.change({"email": "not an address", "language": "fr", "channel": "pigeon"})
    assert refused.status_code == 422
    html = refused.text
    assert "<title>Error:" in html and html.count('<li><a href="#f-contact-') == 3
    assert 'value="not an address"' in html and "Please enter a valid e-mail address." in html
    assert site.profiles.changed == []


def test_a_citizen_may_choose_sms_with_their_number_and_is_told_which_address_a_channel_needs(site: Site) -> None:
    site.with_profile()
    page = site.page()
    assert 'type="tel"' in page and 'value="sms"' in page and 'value="webhook"' in page
    refused = site.change({"email": "erika@example.org", "language": "en", "channel": "sms", "phone": ""})
    assert refused.status_code == 422 and '<li><a href="#f-contact-phone">Please fill in this field.' in refused.text
    chosen = site.change({"email": "erika@example.org", "language": "en", "channel": "sms", "phone": "+4915112345678"})
    assert chosen.status_code == 303
    assert site.profiles.changed == [
        (ERIKA, ContactPreferences(email="erika@example.org", language="en", channel="sms", phone="+4915112345678"))
    ]


def test_a_change_without_the_csrf_token_or_signed_out_changes_nothing(site: Site) -> None:
    site.with_profile()
    contact = {"contact.email": "mallory@example.org", "contact.language": "de", "contact.channel": "email"}
    forged = site.client.post("/profile/contact", data=contact | {"csrf": "x" * 43})
    elsewhere = site.client.post(
        "/profile/contact",
        data=contact | {"csrf": hidden(site.page(), "csrf")},
        headers={"Origin": "https://evil.example"},
    )
    assert [forged.status_code, elsewhere.status_code] == [403, 403]
    site.client.cookies.delete(SESSION_COOKIE)
    signed_out = site.client.post("/profile/contact", data=contact, follow_redirects=False)
    assert signed_out.status_code == 303 and signed_out.headers["location"].startswith("/profile")
    assert site.profiles.changed == []


def test_a_change_that_cannot_be_published_is_a_page_saying_nothing_changed(site: Site) -> None:
    site.with_profile()
    site.profiles.publishing = False
    failed = site.change({"email": "erika@example.org", "language": "de", "channel": "email"})
    assert failed.status_code == 503
    assert "nothing was changed" in failed.text


def test_a_profile_that_cannot_be_read_is_a_page_saying_so(site: Site) -> None:
    site.with_profile()
    site.profiles.reading = False
    page = site.client.get("/profile?lang=en")
    assert page.status_code == 503 and "cannot be reached just now" in page.text


def test_erasing_is_asked_once_more_then_done_and_signs_out(site: Site) -> None:
    site.with_profile()
    assert 'id="erase" href="/profile/erase?lang=en"' in site.page()
    asked = site.client.get("/profile/erase?lang=en")
    assert asked.status_code == 200 and "Erase your profile?" in asked.text and "What the law requires" in asked.text
    assert site.profiles.erased == []
    done = site.client.post("/profile/erase?lang=en", data={"csrf": hidden(asked.text, "csrf")}, follow_redirects=False)
    assert done.status_code == 303 and done.headers["location"] == "/profile/erased?lang=en"
    assert site.profiles.erased == [ERIKA] and site.sign_ins.sessions == {}
    assert f'{SESSION_COOKIE}=""' in done.headers["set-cookie"]
    erased = site.client.get(done.headers["location"])
    assert "Your profile is erased, and you are signed out." in erased.text and "What the law requires" in erased.text
    assert "Sign in to see your profile" in site.client.get("/profile?lang=en").text


def test_an_erasure_without_the_token_or_that_cannot_be_published_erases_nothing(site: Site) -> None:
    site.with_profile()
    assert site.client.post("/profile/erase", data={"csrf": "x" * 43}).status_code == 403
    site.profiles.publishing = False
    token = hidden(site.client.get("/profile/erase").text, "csrf")
    failed = site.client.post("/profile/erase?lang=en", data={"csrf": token})
    assert failed.status_code == 503 and "nothing was changed" in failed.text
    assert site.profiles.erased == [] and SESSION in site.sign_ins.sessions


def test_the_erase_confirmation_needs_a_sign_in(site: Site) -> None:
    asked = site.client.get("/profile/erase?lang=en", follow_redirects=False)
    assert asked.status_code == 303 and asked.headers["location"] == "/profile?lang=en"
