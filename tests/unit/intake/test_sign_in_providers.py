"""The sign-in page with more than one identity provider configured: a button per provider, named in the page's
language, each starting the sign-in with that provider; a provider nobody configured is not found."""

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from civicflow.intake.adapters.http_oidc import OidcProvider
from civicflow.intake.domain.catalogue import Catalogue
from civicflow.intake.handlers import Intake
from civicflow.intake.web.apply import Apply, apply_router
from civicflow.intake.web.pages import Pages
from civicflow.intake.web.sign_in import Sessions, sign_in_router
from civicflow.shared.identity_providers import DisplayName, IdentityProvider
from tests.support.sealing import sealer_with_every_key
from tests.unit.intake.fakes import FakeAttachments, FakeRecorder, FakeRelay, FakeSignIns, FakeSubmissions, NoProfiles

BUSINESS = "99050012104000"  # needs "substantial"
PROVIDERS = (
    IdentityProvider(
        name="bundid",
        issuer="http://bundid.invalid",
        audience="civicflow",
        display_name=DisplayName(de="BundID (Online-Ausweis)", en="BundID (online ID card)"),
    ),
    IdentityProvider(
        name="elster",
        issuer="http://elster.invalid",
        audience="civicflow",
        display_name=DisplayName(de="ELSTER-Zertifikat", en="ELSTER certificate"),
    ),
)


def client(*providers: IdentityProvider) -> TestClient:
    sessions = Sessions(FakeSignIns(), tuple(OidcProvider(p, b"k" * 32) for p in providers), "https://antrag.example")
    catalogue, pages = Catalogue.bundled(), Pages("https://antrag.example")
    intake = Intake(FakeSubmissions(), FakeAttachments(), FakeRelay(), sealer_with_every_key())
    app = FastAPI()
    app.include_router(
        apply_router(
            Apply(pages, catalogue, intake, FakeRecorder(), sessions, secure_cookies=False, profiles=NoProfiles())
        )
    )
    app.include_router(sign_in_router(sessions, catalogue, pages))
    return TestClient(app, raise_server_exceptions=False)


@pytest.mark.parametrize(
    ("lang", "names"),
    [
        ("de", ["BundID (Online-Ausweis)", "ELSTER-Zertifikat"]),
        ("en", ["BundID (online ID card)", "ELSTER certificate"]),
    ],
)
def test_the_page_offers_a_button_per_provider_in_its_language(lang: str, names: list[str]) -> None:
    page = client(*PROVIDERS).get(f"/services/{BUSINESS}/apply?lang={lang}")
    assert page.status_code == 200
    for provider, name in zip(PROVIDERS, names, strict=True):
        link = f'href="/sign-in?service_id={BUSINESS}&amp;provider={provider.name}&amp;lang={lang}"'
        assert link in page.text and name in page.text
    assert 'id="sign-in"' not in page.text


def test_with_one_provider_the_page_has_its_one_button() -> None:
    page = client(PROVIDERS[0]).get(f"/services/{BUSINESS}/apply?lang=en")
    assert f'id="sign-in" href="/sign-in?service_id={BUSINESS}&amp;lang=en"' in page.text
    assert "BundID" not in page.text


def test_a_provider_nobody_configured_is_not_found() -> None:
    started = client(*PROVIDERS).get(f"/sign-in?service_id={BUSINESS}&provider=nope", follow_redirects=False)
    assert started.status_code == 404 and "civicflow_sign_in" not in started.headers.get("set-cookie", "")
