"""The once-only profile on the form, with the ports faked: signed in, the form offers to keep a profile (a real,
unticked checkbox), the consent travels through the summary to the API's `keep_profile`; with a profile, the form
comes filled from it, each value saying where it came from, the box ticked, and everything checked again."""

import json
import re
from collections.abc import Sequence
from datetime import UTC, date, datetime

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from civicflow.intake.adapters.http_oidc import OidcProvider
from civicflow.intake.domain.catalogue import Catalogue, ServiceSpec
from civicflow.intake.domain.profile import ProfileValue
from civicflow.intake.domain.sign_in import SignedIn
from civicflow.intake.handlers import Intake
from civicflow.intake.profiles import OwnSubmission
from civicflow.intake.web.apply import Apply, apply_router
from civicflow.intake.web.pages import Pages
from civicflow.intake.web.sign_in import SESSION_COOKIE, Sessions
from civicflow.shared.events import ContactPreferences, Profile, SubmissionReceived, personal
from civicflow.shared.identity_providers import IdentityProvider
from tests.support.html import hidden
from tests.support.profiles import erika_profile
from tests.support.sealing import sealer_with_every_key
from tests.unit.intake.fakes import FakeAttachments, FakeRecorder, FakeRelay, FakeSignIns, FakeSubmissions

BUSINESS = "99050012104000"  # needs "substantial", no file required
SESSION = "s" * 43
ERIKA = "e" * 32
GIVEN_AT = datetime(2026, 11, 12, 9, 30, tzinfo=UTC)
OWN_FIELDS = {
    "form.business_name": "Mustermann Webdesign",
    "form.activity": "Webseiten gestalten",
    "form.legal_form": "einzelunternehmen",
    "form.start_date": "01.12.2026",
}
CONTACT = {
    "applicant.email": "erika@example.org",
    "applicant.address.street": "Heidestraße 17",
    "applicant.address.postal_code": "51147",
    "applicant.address.city": "Köln",
}


def kept(name: str, value: str, source: str = "application") -> ProfileValue:
    return ProfileValue(name, value, False, "application" if source == "application" else "profile", "", GIVEN_AT)


def proven(name: str, value: str) -> ProfileValue:
    return ProfileValue(name, value, True, "identity_provider", "BundID", GIVEN_AT)


ERIKAS_PROFILE = [
    proven("applicant.given_name", "Erika"),
    proven("applicant.family_name", "Mustermann"),
    proven("applicant.birth_date", "12.08.1964"),
    kept("applicant.email", "erika@example.org", source="profile"),
    kept("applicant.address.street", "Heidestraße 17"),
    kept("applicant.address.postal_code", "51147"),
    kept("applicant.address.city", "Köln"),
]


class FakeProfiles:
    """Only what the form asks of CitizenProfiles: the values to fill in, and the profile's chosen channel."""

    def __init__(self) -> None:
        self.values_of: dict[str, list[ProfileValue]] = {}
        self.kept: dict[str, Profile] = {}
        self.failing = False

    async def prefill(self, citizen_id: str, spec: ServiceSpec) -> list[ProfileValue]:
        if self.failing:
            raise ConnectionError("store down")
        return self.values_of.get(citizen_id, [])

    async def profile(self, citizen_id: str) -> Profile | None:
        if self.failing:
            raise ConnectionError("store down")
        return self.kept.get(citizen_id)

    async def values(self, citizen_id: str) -> list[ProfileValue]:
        raise AssertionError("the form needs no more than prefill")

    async def change_contact(self, citizen_id: str, contact: ContactPreferences) -> None:
        raise AssertionError("the form changes nothing")

    async def submissions(self, citizen_id: str) -> Sequence[OwnSubmission]:
        raise AssertionError("the form needs no more than prefill")

    async def erase(self, citizen_id: str) -> None:
        raise AssertionError("the form erases nothing")


class Site:
    def __init__(self) -> None:
        self.submissions, self.relay, self.profiles, self.sign_ins = (
            FakeSubmissions(),
            FakeRelay(),
            FakeProfiles(),
            FakeSignIns(),
        )
        provider = OidcProvider(
            IdentityProvider(name="dev", issuer="http://idp.invalid", audience="civicflow"), b"k" * 32
        )
        sessions = Sessions(self.sign_ins, (provider,), "https://antrag.example")
        self.sealer = sealer_with_every_key()
        intake = Intake(self.submissions, FakeAttachments(), self.relay, self.sealer)
        pages, catalogue = Pages("https://antrag.example"), Catalogue.bundled()
        apply = Apply(pages, catalogue, intake, FakeRecorder(), sessions, False, self.profiles)
        app = FastAPI()
        app.include_router(apply_router(apply))
        self.client = TestClient(app, raise_server_exceptions=False)

    def sign_in(self) -> None:
        self.sign_ins.sessions[SESSION] = SignedIn(
            "Erika",
            "Mustermann",
            date(1964, 8, 12),
            "substantial",
            datetime.now(UTC),
            id_token="signed.id.token",
            citizen_id=ERIKA,
        )
        self.client.cookies.set(SESSION_COOKIE, SESSION)

    def received(self) -> dict[str, object]:
        """The SubmissionReceived the application was handed off as."""
        event: dict[str, object] = json.loads(self.relay.handed_off[0].value)
        return event


@pytest.fixture
def site() -> Site:
    return Site()


def value_of(html: str, name: str) -> str | None:
    found = re.search(rf'<input[^>]* name="{re.escape(name)}"[^>]*value="([^"]*)"', html)
    return found.group(1) if found else None


def consent_box(html: str) -> str:
    found = re.search(r'<input type="checkbox" id="f-keep_profile"[^>]*>', html)
    assert found is not None, "no consent checkbox"
    return found.group(0)


def file(site: Site, answers: dict[str, str], lang: str = "en") -> str:
    """Continue to the summary with these answers, send it, and return the summary's page."""
    summary = site.client.post(f"/services/{BUSINESS}/apply?lang={lang}", data=answers)
    assert summary.status_code == 200, summary.text
    sent = {**answers, "key": hidden(summary.text, "key")}
    if 'name="keep_profile" value="yes"' in summary.text:
        sent["keep_profile"] = "yes"
    filed = site.client.post(f"/services/{BUSINESS}/submit?lang={lang}", data=sent, follow_redirects=False)
    assert filed.status_code == 303, filed.text
    return str(summary.text)


def test_signed_in_the_form_offers_to_keep_a_profile_unticked_in_plain_words(site: Site) -> None:
    site.sign_in()
    page = site.client.get(f"/services/{BUSINESS}/apply?lang=en")
    assert page.status_code == 200
    box = consent_box(page.text)
    assert 'name="keep_profile" value="yes"' in box and "checked" not in box
    assert '<label for="f-keep_profile">Keep my confirmed details, my address and my contact preferences' in page.text
    assert 'href="/profile?lang=en"' in page.text and "see and erase your profile at any time" in page.text
    german = site.client.get(f"/services/{BUSINESS}/apply?lang=de")
    assert "als mein Profil speichern" in german.text and "jederzeit ansehen und löschen" in german.text


def test_not_signed_in_there_is_no_consent_to_give(site: Site) -> None:
    page = site.client.get("/services/99116002000000/apply?lang=en")  # the rent check needs no sign-in
    assert page.status_code == 200 and "keep_profile" not in page.text


def test_the_ticked_box_travels_through_the_summary_into_the_application(site: Site) -> None:
    site.sign_in()
    page = site.client.get(f"/services/{BUSINESS}/apply?lang=en")
    answers = {**CONTACT, **OWN_FIELDS, "csrf": hidden(page.text, "csrf"), "keep_profile": "yes"}
    summary = file(site, answers)
    assert re.search(r'id="keep-profile"><dt>Keep as my profile</dt><dd>Yes</dd>', summary)
    assert summary.count('<input type="hidden" name="keep_profile" value="yes">') == 2  # change, and send
    body = site.received()
    assert body["keep_profile"] is True and body["identity_token"] is not None


def test_left_unticked_the_application_says_no(site: Site) -> None:
    site.sign_in()
    page = site.client.get(f"/services/{BUSINESS}/apply?lang=en")
    summary = file(site, {**CONTACT, **OWN_FIELDS, "csrf": hidden(page.text, "csrf")})
    assert re.search(r"<dt>Keep as my profile</dt><dd>No</dd>", summary)
    assert 'name="keep_profile"' not in summary
    assert site.received()["keep_profile"] is False


def test_with_a_profile_the_form_comes_filled_each_value_saying_where_from_and_the_box_ticked(site: Site) -> None:
    site.profiles.values_of[ERIKA] = ERIKAS_PROFILE
    site.sign_in()
    page = site.client.get(f"/services/{BUSINESS}/apply?lang=en")
    assert page.status_code == 200
    assert {name: value_of(page.text, name) for name in CONTACT} == CONTACT
    assert "checked" in consent_box(page.text)
    # Confirmed details are shown, never inputs; the others are inputs the citizen can change.
    assert 'name="applicant.given_name"' not in page.text and "12.08.1964" in page.text
    assert "From your profile, given in your application of 12.11.2026" in page.text
    assert "From your profile, changed on 12.11.2026" in page.text
    street = re.search(r'<input id="f-applicant-address-street"[^>]*>', page.text)
    assert street is not None and "f-applicant-address-street-source" in street.group(0)  # read with the field
    german = site.client.get(f"/services/{BUSINESS}/apply?lang=de")
    assert "Aus Ihrem Profil, angegeben in Ihrem Antrag vom 12.11.2026" in german.text
    # Sent as they are, the prefilled values file an application like typed ones.
    file(site, {**CONTACT, **OWN_FIELDS, "csrf": hidden(page.text, "csrf"), "keep_profile": "yes"})
    record = next(iter(site.submissions.records.values()))
    assert record.applicant["address"]["city"] == "Köln" and record.applicant["given_name"] == "Erika"


def test_prefilled_values_are_checked_again_like_typed_ones(site: Site) -> None:
    site.profiles.values_of[ERIKA] = [*ERIKAS_PROFILE[:5], kept("applicant.address.postal_code", "5114")]
    site.sign_in()
    page = site.client.get(f"/services/{BUSINESS}/apply?lang=en")
    shown = {name: value_of(page.text, name) or "" for name in CONTACT}
    assert shown["applicant.address.postal_code"] == "5114"
    answers = {**shown, **OWN_FIELDS, "csrf": hidden(page.text, "csrf")}
    refused = site.client.post(f"/services/{BUSINESS}/apply?lang=en", data=answers)
    assert refused.status_code == 422 and 'href="#f-applicant-address-postal_code"' in refused.text
    assert site.submissions.records == {}


def test_a_profile_that_cannot_be_read_leaves_the_form_to_be_typed(site: Site) -> None:
    site.profiles.failing = True
    site.sign_in()
    page = site.client.get(f"/services/{BUSINESS}/apply?lang=en")
    assert page.status_code == 200 and value_of(page.text, "applicant.email") == ""
    assert "checked" not in consent_box(page.text)


def test_the_confirmed_details_come_from_the_sign_in_never_from_the_profile(site: Site) -> None:
    site.profiles.values_of[ERIKA] = [proven("applicant.given_name", "Mallory"), *ERIKAS_PROFILE[1:]]
    site.sign_in()
    page = site.client.get(f"/services/{BUSINESS}/apply?lang=en")
    assert "Mallory" not in page.text and "Erika" in page.text


def test_the_channel_chosen_in_the_profile_is_shown_and_asked_of_notify(site: Site) -> None:
    by_sms = ContactPreferences(email="erika@example.org", language="en", channel="sms", phone="+4915112345678")
    site.profiles.kept[ERIKA] = erika_profile().model_copy(update={"contact": by_sms})
    site.sign_in()
    page = site.client.get(f"/services/{BUSINESS}/apply?lang=en")
    summary = file(site, {**CONTACT, **OWN_FIELDS, "csrf": hidden(page.text, "csrf")})
    assert "<dd>Text message (SMS), as set in your profile</dd>" in summary
    event = SubmissionReceived.model_validate(site.received())
    recipient = event.recipient
    assert recipient.channel == "sms" and recipient.mailbox is None and recipient.phone is not None
    assert "4915112345678" not in json.dumps(site.received())
    assert site.sealer.open(personal.CONTACT_PHONE, recipient.phone, event.submission_id) == by_sms.phone


def test_an_email_profile_or_none_asks_notify_for_nothing_but_email(site: Site) -> None:
    site.profiles.kept[ERIKA] = erika_profile()
    site.sign_in()
    page = site.client.get(f"/services/{BUSINESS}/apply?lang=en")
    summary = file(site, {**CONTACT, **OWN_FIELDS, "csrf": hidden(page.text, "csrf")})
    assert 'id="notified-by"' not in summary
    assert SubmissionReceived.model_validate(site.received()).recipient.channel == "email"
