import json
import re
from typing import get_args
from xml.etree import ElementTree

from fastapi import FastAPI
from fastapi.testclient import TestClient

from civicflow.intake.domain.catalogue import Catalogue
from civicflow.intake.web.i18n import words
from civicflow.intake.web.pages import Pages, pages_router
from civicflow.shared.events.identity import RejectionReason
from civicflow.shared.events.routing import ClarificationReason, UnroutableReason
from civicflow.shared.problems import install_problem_handlers
from tests.unit.intake.fakes import FakeRecorder

PUBLIC = "https://antrag.example"


def client() -> TestClient:
    app = FastAPI()
    install_problem_handlers(app)
    app.include_router(pages_router(Catalogue.bundled(), Pages(PUBLIC), FakeRecorder()))
    return TestClient(app)


def json_ld(html: str) -> dict[str, object]:
    found = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    assert found is not None
    document: dict[str, object] = json.loads(found.group(1))
    return document


def test_a_service_page_is_findable_and_shareable_in_german_and_english() -> None:
    german = client().get("/services/99050012104000")
    english = client().get("/services/99050012104000?lang=en")
    assert german.status_code == english.status_code == 200
    assert '<html lang="de">' in german.text and '<html lang="en">' in english.text
    described = json_ld(german.text)
    assert (described["@type"], described["name"]) == ("GovernmentService", "Gewerbe anmelden")
    assert json_ld(english.text)["name"] == "Register a business"
    assert '<meta property="og:title" content="Register a business">' in english.text
    assert f'<meta property="og:url" content="{PUBLIC}/services/99050012104000?lang=en">' in english.text
    assert '<meta name="twitter:card" content="summary">' in german.text
    assert "script-src" not in german.headers["content-security-policy"]  # no script runs on the page


def test_the_language_follows_accept_language_unless_the_link_names_one() -> None:
    asked = client().get("/services", headers={"Accept-Language": "en-GB,en;q=0.9"})
    assert '<html lang="en">' in asked.text and "Register a business" in asked.text
    linked = client().get("/services?lang=de", headers={"Accept-Language": "en"})
    assert '<html lang="de">' in linked.text


def test_the_sitemap_lists_every_service_page_in_both_languages() -> None:
    response = client().get("/sitemap.xml")
    assert response.headers["content-type"].startswith("application/xml")
    sitemap = ElementTree.fromstring(response.content)  # noqa: S314 - our own answer, not untrusted input
    locations = {element.text for element in sitemap.iter() if element.tag.endswith("loc")}
    for key in Catalogue.bundled().services:
        assert {f"{PUBLIC}/services/{key}?lang=de", f"{PUBLIC}/services/{key}?lang=en"} <= locations


def test_an_unknown_service_page_is_a_404() -> None:
    assert client().get("/services/99000000000000").status_code == 404


def test_every_reason_an_application_can_stop_for_has_plain_words_in_both_languages() -> None:
    reasons = [*get_args(RejectionReason), *get_args(UnroutableReason), *get_args(ClarificationReason)]
    for language in ("de", "en"):
        said = words(language)
        missing = [reason for reason in reasons if f"reason_{reason}" not in said]
        # routing's question, asked on the status page, for each reason it asks
        missing += [reason for reason in get_args(ClarificationReason) if f"clarify_{reason}" not in said]
        assert missing == [], (language, missing)
