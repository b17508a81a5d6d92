"""The dev identity provider's OpenID Connect endpoints: the authorization code flow with PKCE, single-use codes,
an ID token with the person, level and nonce chosen, and key rotation with both keys published."""

import base64
import hashlib
import re
import secrets
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import jwt
import pytest
from starlette.testclient import TestClient

from civicflow.local.idp import LOA_URIS, KeyPair
from civicflow.local.oidc_provider import provider_app

ISSUER = "http://idp.test"
CLIENT = "civicflow"
REDIRECT = "http://intake.test/sign-in/callback"


def challenge_of(verifier: str) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()


@pytest.fixture
def provider(tmp_path: Path) -> TestClient:
    return TestClient(provider_app(KeyPair.load_or_create(tmp_path), ISSUER))


def authorization(verifier: str, **overrides: str) -> dict[str, str]:
    return {
        "response_type": "code",
        "client_id": CLIENT,
        "redirect_uri": REDIRECT,
        "state": "s-1",
        "nonce": "n-1",
        "code_challenge": challenge_of(verifier),
        "code_challenge_method": "S256",
    } | overrides


def sign_in(provider: TestClient, verifier: str, level: str = "substantial") -> str:
    page = provider.get("/authorize", params=authorization(verifier, acr_values=LOA_URIS[level]))
    assert page.status_code == 200 and f'value="{level}" checked' in page.text
    person = {"given_name": "Erika", "family_name": "Mustermann", "birthdate": "1964-08-12", "level": level}
    answer = provider.post("/authorize", data=authorization(verifier) | person, follow_redirects=False)
    assert answer.status_code == 303
    location = urlsplit(answer.headers["location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == REDIRECT
    query = parse_qs(location.query)
    assert query["state"] == ["s-1"]
    return str(query["code"][0])


def exchange(provider: TestClient, code: str, verifier: str) -> dict[str, str]:
    data = {"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT, "client_id": CLIENT}
    answer = provider.post("/token", data=data | {"code_verifier": verifier})
    result: dict[str, str] = answer.json()
    return result


def test_discovery_names_the_endpoints_and_pkce(provider: TestClient) -> None:
    document = provider.get("/.well-known/openid-configuration").json()
    assert document["issuer"] == ISSUER and document["token_endpoint"] == f"{ISSUER}/token"
    assert document["code_challenge_methods_supported"] == ["S256"]
    assert set(document["acr_values_supported"]) == set(LOA_URIS.values())


def test_a_code_with_its_verifier_gives_an_id_token_with_the_person_level_and_nonce(provider: TestClient) -> None:
    verifier = secrets.token_urlsafe(48)
    tokens = exchange(provider, sign_in(provider, verifier, "high"), verifier)
    header = jwt.get_unverified_header(tokens["id_token"])
    key = next(k for k in provider.get("/.well-known/jwks.json").json()["keys"] if k["kid"] == header["kid"])
    claims = jwt.decode(tokens["id_token"], jwt.PyJWK(key).key, algorithms=["ES256"], audience=CLIENT, issuer=ISSUER)
    assert claims["acr"] == LOA_URIS["high"] and claims["nonce"] == "n-1" and claims["given_name"] == "Erika"
    assert re.fullmatch(r"[0-9a-f]{32}", claims["jti"])


def test_a_code_is_single_use_and_bound_to_its_verifier(provider: TestClient) -> None:
    verifier = secrets.token_urlsafe(48)
    code = sign_in(provider, verifier)
    assert exchange(provider, code, secrets.token_urlsafe(48)) == {"error": "invalid_grant"}
    code = sign_in(provider, verifier)
    assert "id_token" in exchange(provider, code, verifier)
    assert exchange(provider, code, verifier) == {"error": "invalid_grant"}


@pytest.mark.parametrize(
    "overrides",
    [{"code_challenge_method": "plain"}, {"code_challenge": ""}, {"response_type": "token"}, {"redirect_uri": "x"}],
)
def test_an_authorization_request_without_pkce_or_a_proper_redirect_is_refused(
    provider: TestClient, overrides: dict[str, str]
) -> None:
    assert provider.get("/authorize", params=authorization("v" * 43, **overrides)).status_code == 400


def test_after_a_rotation_both_keys_are_published_and_the_new_one_signs(tmp_path: Path) -> None:
    before = KeyPair.load_or_create(tmp_path)
    after = KeyPair.rotate(tmp_path)
    assert after.previous is not None and after.previous.kid == before.current.kid
    assert after.current.kid != before.current.kid
    published = TestClient(provider_app(after, ISSUER)).get("/.well-known/jwks.json").json()
    assert [key["kid"] for key in published["keys"]] == [after.current.kid, before.current.kid]
