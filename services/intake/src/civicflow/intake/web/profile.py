"""The citizen's own profile page (the once-only profile, profiles.CitizenProfiles), behind a sign-in at any level:
every value with where it came from and when, the contact preferences to change, their own applications, and the
erasure of it all (asked once more before it is done, and ending the session).

Changes are plain form posts with a CSRF token (web.csrf), answered with a redirect (Post/Redirect/Get), so a page
sent again changes nothing twice. What could not be published is a page that says so: nothing was changed."""

import logging
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from civicflow.intake.domain.catalogue import Catalogue
from civicflow.intake.domain.messages import Language
from civicflow.intake.domain.sign_in import SignedIn
from civicflow.intake.profiles import CitizenProfiles, NotPublished
from civicflow.intake.web import csrf
from civicflow.intake.web.pages import Pages, language_of
from civicflow.intake.web.posted import PostRefused, form_of
from civicflow.intake.web.profile_view import (
    contact_inputs,
    contact_of,
    contact_values,
    own_rows,
    posted_contact,
    rows,
)
from civicflow.intake.web.sign_in import Sessions

logger = logging.getLogger(__name__)
PATH = "/profile"
# A contact form is a few short fields.
CONTACT_LIMIT = 16 * 1024
UNAVAILABLE = "profile_unavailable"


class ProfilePages:
    """The profile routes' collaborators and pages, so that each route stays a few lines."""

    def __init__(
        self,
        pages: Pages,
        catalogue: Catalogue,
        sessions: Sessions,
        profiles: CitizenProfiles,
        secure_cookies: bool,
    ) -> None:
        self.pages, self.catalogue, self.sessions = pages, catalogue, sessions
        self.profiles, self.secure_cookies = profiles, secure_cookies

    def render(
        self,
        request: Request,
        template: str,
        language: Language,
        context: dict[str, Any],
        status: int = 200,
        path: str = PATH,
    ) -> Response:
        """A page with a form: its token set (web.csrf), cached nowhere (Pages' FORM_HEADERS)."""
        token = csrf.token_for(request)
        response = self.pages.render(request, template, language, path, context | {"csrf": token})
        response.status_code = status
        csrf.remember(response, token, secure=self.secure_cookies)
        return response

    def sign_in(self, request: Request, language: Language) -> Response:
        return self.render(request, "profile_sign_in.html", language, {"providers": self.sessions.choices})

    async def page(
        self,
        request: Request,
        language: Language,
        signed_in: SignedIn,
        typed: dict[str, str] | None = None,
        errors: dict[str, str] | None = None,
    ) -> Response:
        citizen = signed_in.citizen_id
        try:
            profile = await self.profiles.profile(citizen)
            values = await self.profiles.values(citizen) if profile is not None else []
            submissions = list(await self.profiles.submissions(citizen))
        except Exception:  # the copy is away: the page says so, and nothing was changed
            logger.warning("profile not read", exc_info=True)
            return self.pages.problem(request, language, 503, UNAVAILABLE)
        inputs = contact_inputs(language)
        ids = {item.name: item.id for item in inputs}
        context = {
            "has_profile": profile is not None,
            "rows": rows(values, language),
            "submissions": own_rows(submissions, self.catalogue, language),
            "contact_inputs": inputs,
            "values": typed if typed is not None else contact_values(profile),
            "errors": errors or {},
            "error_list": [(ids[name], text) for name, text in (errors or {}).items()],
            "saved": request.query_params.get("saved") == "1",
        }
        return self.render(request, "profile.html", language, context, status=422 if errors else 200)

    async def signed_post(self, request: Request, language: Language) -> tuple[SignedIn, dict[str, str]] | Response:
        """The signed-in citizen and their genuine post; else the page to go to instead."""
        signed_in = await self.sessions.current(request)
        if signed_in is None:
            return back(language)
        try:
            form = await form_of(request, CONTACT_LIMIT)
        except PostRefused as refused:
            return self.pages.problem(request, language, refused.status, refused.reason)
        try:
            if not csrf.genuine(request, form.get(csrf.FIELD)):
                return self.pages.problem(request, language, 403, "expired")
            return signed_in, posted_contact(form)
        finally:
            await form.close()

    async def change_contact(self, request: Request, language: Language) -> Response:
        posted = await self.signed_post(request, language)
        if isinstance(posted, Response):
            return posted
        signed_in, typed = posted
        contact = contact_of(typed, language)
        if isinstance(contact, dict):
            return await self.page(request, language, signed_in, typed, contact)
        try:
            await self.profiles.change_contact(signed_in.citizen_id, contact)
        except NotPublished:  # nothing changed, the citizen may try again
            logger.warning("contact preferences not published", exc_info=True)
            return self.pages.problem(request, language, 503, UNAVAILABLE)
        return back(language, "&saved=1")

    async def erase(self, request: Request, language: Language) -> Response:
        posted = await self.signed_post(request, language)
        if isinstance(posted, Response):
            return posted
        try:
            await self.profiles.erase(posted[0].citizen_id)
        except NotPublished:  # nothing was erased, the citizen may try again
            logger.warning("erasure not published", exc_info=True)
            return self.pages.problem(request, language, 503, UNAVAILABLE)
        response = RedirectResponse(f"{PATH}/erased?lang={language}", status_code=303)
        await self.sessions.end(request, response)  # nothing of the citizen stays signed in either
        return response


def back(language: Language, query: str = "") -> RedirectResponse:
    return RedirectResponse(f"{PATH}?lang={language}{query}", status_code=303, headers={"Cache-Control": "no-store"})


def profile_pages_router(profile: ProfilePages) -> APIRouter:
    router = APIRouter(include_in_schema=False)
    pages, sessions = profile.pages, profile.sessions

    @router.get(PATH, response_class=HTMLResponse)
    async def show(request: Request, lang: str | None = None) -> Response:
        language = language_of(request, lang)
        signed_in = await sessions.current(request)
        if signed_in is None:
            return profile.sign_in(request, language)
        return await profile.page(request, language, signed_in)

    @router.post(f"{PATH}/contact", response_class=HTMLResponse)
    async def change_contact(request: Request, lang: str | None = None) -> Response:
        return await profile.change_contact(request, language_of(request, lang))

    @router.get(f"{PATH}/erase", response_class=HTMLResponse)
    async def confirm_erasure(request: Request, lang: str | None = None) -> Response:
        language = language_of(request, lang)
        if await sessions.current(request) is None:
            return back(language)
        return profile.render(request, "profile_erase.html", language, {}, path=f"{PATH}/erase")

    @router.post(f"{PATH}/erase", response_class=HTMLResponse)
    async def erase(request: Request, lang: str | None = None) -> Response:
        return await profile.erase(request, language_of(request, lang))

    @router.get(f"{PATH}/erased", response_class=HTMLResponse)
    async def erased(request: Request, lang: str | None = None) -> Response:
        language = language_of(request, lang)
        return pages.render(request, "profile_erased.html", language, f"{PATH}/erased", {})

    return router
