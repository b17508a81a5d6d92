"""The development identity provider's OpenID Connect endpoints (OpenID Connect Core 1.0, authorization code flow;
PKCE, RFC 7636, required): discovery, `authorize` with a page to enter a test person and pick a level of
assurance, `token`, and the JWKS with the current and the previous signing key (so a rotation overlaps).

It stands in for a real provider (a BundID or eIDAS node behind an OIDC broker such as Keycloak) on a developer's
machine and in the tests. Never used outside dev: anyone may sign in as anyone."""

import argparse
import base64
import hashlib
import html
import secrets
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from civicflow.local.idp import LOA_URIS, KeyPair, issuer_url

CODE_SECONDS = 60
# At most so many codes wait to be exchanged (a dev provider keeps them in memory).
MAX_PENDING_CODES = 10_000


@dataclass(frozen=True)
class Grant:
    client_id: str
    redirect_uri: str
    code_challenge: str
    nonce: str | None
    person: dict[str, str]
    level: str
    expires: float


class Codes:
    def __init__(self) -> None:
        self._grants: dict[str, Grant] = {}

    def issue(self, grant: Grant) -> str:
        now = time.monotonic()
        self._grants = {code: kept for code, kept in self._grants.items() if kept.expires > now}
        if len(self._grants) >= MAX_PENDING_CODES:
            raise OverflowError("too many pending codes")
        code = secrets.token_urlsafe(32)
        self._grants[code] = grant
        return code

    def redeem(self, code: str) -> Grant | None:
        """The grant, once: a code is single use (OpenID Connect Core §3.1.3.2)."""
        grant = self._grants.pop(code, None)
        return grant if grant is not None and grant.expires > time.monotonic() else None


def provider_app(keys: KeyPair, issuer: str) -> Starlette:
    codes = Codes()

    async def discovery(request: Request) -> Response:
        return JSONResponse(
            {
                "issuer": issuer,
                "authorization_endpoint": f"{issuer}/authorize",
                "token_endpoint": f"{issuer}/token",
                "jwks_uri": f"{issuer}/.well-known/jwks.json",
                "response_types_supported": ["code"],
                "grant_types_supported": ["authorization_code"],
                "subject_types_supported": ["public"],
                "id_token_signing_alg_values_supported": ["ES256"],
                "code_challenge_methods_supported": ["S256"],
                "token_endpoint_auth_methods_supported": ["none"],
                "scopes_supported": ["openid", "profile"],
                "claims_supported": ["sub", "given_name", "family_name", "birthdate", "acr", "nonce"],
                "acr_values_supported": list(LOA_URIS.values()),
            }
        )

    async def jwks(request: Request) -> Response:
        return JSONResponse(keys.jwks())

    async def authorize_page(request: Request) -> Response:
        params = dict(request.query_params)
        problem = _authorization_problem(params)
        if problem:
            return HTMLResponse(f"<p>{html.escape(problem)}</p>", status_code=400)
        return HTMLResponse(_page(params))

    async def authorize(request: Request) -> Response:
        form = await request.form(max_files=0, max_fields=30)
        params = {name: str(value) for name, value in form.items()}
        problem = _authorization_problem(params)
        person = {name: params.get(name, "").strip()[:100] for name in ("given_name", "family_name", "birthdate")}
        if problem or not all(person.values()) or params.get("level") not in LOA_URIS or not _date(person["birthdate"]):
            return HTMLResponse(f"<p>{html.escape(problem or 'Enter a person and a level.')}</p>", status_code=400)
        grant = Grant(
            client_id=params["client_id"],
            redirect_uri=params["redirect_uri"],
            code_challenge=params["code_challenge"],
            nonce=params.get("nonce") or None,
            person=person,
            level=params["level"],
            expires=time.monotonic() + CODE_SECONDS,
        )
        answer = {"code": codes.issue(grant), "state": params.get("state", "")}
        return RedirectResponse(f"{grant.redirect_uri}?{urlencode(answer)}", status_code=303)

    async def token(request: Request) -> Response:
        form = await request.form(max_files=0, max_fields=10)
        params = {name: str(value) for name, value in form.items()}
        grant = codes.redeem(params.get("code", "")) if params.get("grant_type") == "authorization_code" else None
        if grant is None or not _same_client(grant, params) or not _pkce_matches(grant, params):
            return JSONResponse({"error": "invalid_grant"}, status_code=400)
        id_token = keys.current.issue(
            issuer=issuer,
            given_name=grant.person["given_name"],
            family_name=grant.person["family_name"],
            birth_date=date.fromisoformat(grant.person["birthdate"]),
            loa=grant.level,
            audience=grant.client_id,
            nonce=grant.nonce,
        )
        body = {"access_token": secrets.token_urlsafe(32), "token_type": "Bearer", "expires_in": 900}
        return JSONResponse(body | {"id_token": id_token}, headers={"Cache-Control": "no-store"})

    return Starlette(
        routes=[
            Route("/.well-known/openid-configuration", discovery),
            Route("/.well-known/jwks.json", jwks),
            Route("/authorize", authorize_page, methods=["GET"]),
            Route("/authorize", authorize, methods=["POST"]),
            Route("/token", token, methods=["POST"]),
        ]
    )


def _authorization_problem(params: dict[str, str]) -> str | None:
    if params.get("response_type") != "code":
        return "response_type must be code"
    if not params.get("client_id"):
        return "client_id is missing"
    redirect = urlsplit(params.get("redirect_uri", ""))
    if redirect.scheme not in ("http", "https") or not redirect.netloc or redirect.fragment:
        return "redirect_uri must be an absolute http(s) URL without a fragment"
    if params.get("code_challenge_method") != "S256" or not 43 <= len(params.get("code_challenge", "")) <= 128:
        return "PKCE with S256 is required"
    return None


def _same_client(grant: Grant, params: dict[str, str]) -> bool:
    return params.get("client_id") == grant.client_id and params.get("redirect_uri") == grant.redirect_uri


def _pkce_matches(grant: Grant, params: dict[str, str]) -> bool:
    verifier = params.get("code_verifier", "")
    digest = hashlib.sha256(verifier.encode("ascii", "replace")).digest()
    challenge = base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
    return 43 <= len(verifier) <= 128 and secrets.compare_digest(challenge, grant.code_challenge)


def _date(text: str) -> bool:
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return True


PASSED_ON = ("response_type", "client_id", "redirect_uri", "state", "nonce", "code_challenge", "code_challenge_method")


def _page(params: dict[str, str]) -> str:
    asked = next((level for level, uri in LOA_URIS.items() if uri in params.get("acr_values", "").split()), "low")
    hidden = "".join(
        f'<input type="hidden" name="{name}" value="{html.escape(params.get(name, ""))}">' for name in PASSED_ON
    )
    levels = "".join(
        f'<div><input type="radio" id="level-{level}" name="level" value="{level}"{checked}>'
        f'<label for="level-{level}">{level}</label></div>'
        for level, checked in ((level, " checked" if level == asked else "") for level in LOA_URIS)
    )
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Dev identity provider: sign in</title></head>
<body><main>
<h1>Dev identity provider</h1>
<p>Only for development: sign in as any test person, at any level of assurance.</p>
<form method="post" action="/authorize">{hidden}
<p><label for="given_name">Given name</label><br><input id="given_name" name="given_name" value="Erika"></p>
<p><label for="family_name">Family name</label><br><input id="family_name" name="family_name" value="Mustermann"></p>
<p><label for="birthdate">Date of birth (YYYY-MM-DD)</label><br>
<input id="birthdate" name="birthdate" value="1964-08-12"></p>
<fieldset><legend>Level of assurance</legend>{levels}</fieldset>
<p><button type="submit" id="sign-in">Sign in</button></p>
</form></main></body></html>"""


def serve(state_dir: Path, host: str, port: int) -> None:
    app = provider_app(KeyPair.load_or_create(state_dir), issuer_url(port, host))
    uvicorn.run(app, host=host, port=port, log_level="warning", access_log=False)


def main() -> None:
    parser = argparse.ArgumentParser(description="CivicFlow development identity provider")
    parser.add_argument("--state-dir", type=Path, required=True)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8090)
    args = parser.parse_args()
    serve(args.state_dir, args.host, args.port)


if __name__ == "__main__":
    main()
