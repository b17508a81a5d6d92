"""Signing in on the page with a configured OpenID Connect provider (domain.sign_in): `/sign-in` sends the
citizen there (to the first provider, or the one `provider=<name>` picks; for a service, or with `next=profile`
for the profile page) with a fresh state, nonce and PKCE verifier, `/sign-in/callback` takes the code back, has the
ID token verified by the provider it was begun with, starts a session (an HttpOnly cookie whose secret the store
keeps only as a hash) and returns to the service's form or to the profile."""

import secrets
from datetime import UTC, datetime
from typing import Annotated, Protocol

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse, Response

from civicflow.intake.adapters.http_oidc import OidcProvider, ProviderUnavailable
from civicflow.intake.domain.catalogue import Catalogue
from civicflow.intake.domain.sign_in import PendingSignIn, SignedIn, new_pending
from civicflow.intake.web.pages import Pages, language_of
from civicflow.shared.events.identity import LevelOfAssurance
from civicflow.shared.identity_providers import IdentityProvider

SESSION_COOKIE = "civicflow_session"
STATE_COOKIE = "civicflow_sign_in"
LEVELS: tuple[LevelOfAssurance, ...] = ("low", "substantial", "high")
# `/sign-in?next=profile`: signing in to see one's own profile (web.profile), which any proof of identity allows.
PROFILE = "profile"
PROFILE_LEVEL: LevelOfAssurance = "low"


class SignIns(Protocol):
    async def begin(self, pending: PendingSignIn) -> None: ...
    async def take(self, state: str, now: datetime) -> PendingSignIn | None: ...
    async def start(self, token: str, signed_in: SignedIn) -> None: ...
    async def get(self, token: str, now: datetime) -> SignedIn | None: ...
    async def end(self, token: str) -> None: ...


class Sessions:
    """The citizen's session, as the page sees it."""

    def __init__(self, sign_ins: SignIns, providers: tuple[OidcProvider, ...], public_url: str) -> None:
        self.sign_ins, self.providers = sign_ins, providers
        self.callback = f"{public_url.rstrip('/')}/sign-in/callback"
        self.secure = public_url.startswith("https://")

    @property
    def choices(self) -> tuple[IdentityProvider, ...]:
        """The providers the sign-in page offers, in their configured order."""
        return tuple(provider.config for provider in self.providers)

    def provider(self, name: str) -> OidcProvider | None:
        """The provider of this name; without one, the first (the only one, where one is configured)."""
        return next((provider for provider in self.providers if provider.config.name == name or not name), None)

    async def current(self, request: Request) -> SignedIn | None:
        token = request.cookies.get(SESSION_COOKIE, "")
        return await self.sign_ins.get(token, datetime.now(UTC)) if 20 <= len(token) <= 64 else None

    async def end(self, request: Request, response: Response) -> None:
        """After the application it signed: one sign-in, one application."""
        await self.sign_ins.end(request.cookies.get(SESSION_COOKIE, ""))
        response.delete_cookie(SESSION_COOKIE, path="/")


def sign_in_router(sessions: Sessions, catalogue: Catalogue, pages: Pages) -> APIRouter:
    router = APIRouter(include_in_schema=False)

    @router.get("/sign-in")
    async def begin(
        request: Request,
        service_id: str = "",
        level: str = "",
        provider: str = "",
        after: Annotated[str, Query(alias="next")] = "",
        lang: str | None = None,
    ) -> Response:
        language, spec, chosen = language_of(request, lang), catalogue.get(service_id), sessions.provider(provider)
        for_profile = not service_id and after == PROFILE
        minimum = spec.minimum_level_of_assurance if spec else (PROFILE_LEVEL if for_profile else None)
        asked = level if level in LEVELS else minimum
        if (spec is None and not for_profile) or chosen is None or asked not in LEVELS:
            return pages.not_found(request, language)
        # A sign-in begun for no service is the profile page's (PendingSignIn keeps "" as its service id).
        pending = new_pending(spec.service_id if spec else "", language, datetime.now(UTC), chosen.config.name)
        try:
            await sessions.sign_ins.begin(pending)
            target = await chosen.authorization_url(pending, sessions.callback, asked)
        except ProviderUnavailable:
            return pages.problem(request, language, 503, "sign_in_unavailable")
        response = RedirectResponse(target, status_code=303)
        # Lax: the provider sends the citizen back with a cross-site navigation, which must carry it.
        response.set_cookie(
            STATE_COOKIE, pending.state, max_age=600, path="/sign-in", secure=sessions.secure, httponly=True
        )
        return response

    @router.get("/sign-in/callback")
    async def callback(request: Request, code: str = "", state: str = "") -> Response:
        held = request.cookies.get(STATE_COOKIE, "")
        language = language_of(request, None)
        if not (held and code and secrets.compare_digest(held, state)):  # this browser started this sign-in
            return pages.problem(request, language, 400, "sign_in_failed")
        pending = await sessions.sign_ins.take(state, datetime.now(UTC))
        if pending is None:
            return pages.problem(request, language, 400, "sign_in_failed")
        language, chosen = language_of(request, pending.language), sessions.provider(pending.provider)
        profile_page = f"/profile?lang={language}"
        try:
            signed_in = await chosen.sign_in(code[:2000], pending, sessions.callback) if chosen else None
        except ProviderUnavailable:
            return pages.problem(request, language, 503, "sign_in_unavailable")
        if signed_in is None:
            return pages.problem(request, language, 400, "sign_in_failed")
        token = secrets.token_urlsafe(32)
        await sessions.sign_ins.start(token, signed_in)
        target = f"/services/{pending.service_id}/apply?lang={language}" if pending.service_id else profile_page
        response = RedirectResponse(target, status_code=303, headers={"Cache-Control": "no-store"})
        response.delete_cookie(STATE_COOKIE, path="/sign-in")
        seconds = max(0, int((signed_in.expires_at - datetime.now(UTC)).total_seconds()))
        response.set_cookie(SESSION_COOKIE, token, max_age=seconds, path="/", secure=sessions.secure, httponly=True)
        return response

    return router
