"""The signed-in citizen's once-only profile over HTTP (JSON), for the page's own scripts: authenticated by the
page's session cookie, answering problems (RFC 9457) like the rest of the API. A change or an erasure is refused
when the browser says it comes from another site (entrypoints.origin)."""

from typing import Any, Protocol

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from pydantic import ValidationError

from civicflow.intake.domain.catalogue import Catalogue
from civicflow.intake.domain.messages import preferred_language
from civicflow.intake.domain.profile import ProfileValue
from civicflow.intake.domain.sign_in import SignedIn
from civicflow.intake.entrypoints.bodies import read_json
from civicflow.intake.entrypoints.openapi import answers
from civicflow.intake.entrypoints.origin import from_this_site
from civicflow.intake.entrypoints.profile_bodies import (
    CONTACT_BODY,
    PrefillList,
    ProfileBody,
    SubmissionList,
    contact_errors,
)
from civicflow.intake.profiles import CitizenProfiles, NotPublished, OwnSubmission
from civicflow.shared.events import ContactPreferences
from civicflow.shared.problems import Problem

# Personal data: no cache along the way keeps it (RFC 9111 §5.2).
NO_STORE = {"Cache-Control": "no-store"}
CONTACT_LIMIT = 4096
BODY_TIMEOUT_SECONDS = 10

NOT_SIGNED_IN = Problem(401, "not-signed-in", "Not signed in", "Sign in on the page to see or change your profile.")
CROSS_SITE = Problem(403, "cross-site-request", "Cross-site request", "This request did not come from our pages.")
NO_PROFILE = Problem(404, "not-found", "Not found", "You have no profile.")
UNKNOWN_SERVICE = Problem(404, "not-found", "Not found", "No service with this key is in the catalogue.")
NOT_PUBLISHED = Problem(
    503,
    "temporarily-unavailable",
    "Temporarily unavailable",
    "Your request could not be passed on right now; nothing was changed. Please retry.",
    headers={"Retry-After": "30"},
)


class SignedInCitizens(Protocol):
    """Who is signed in, by the page's session cookie (web.sign_in.Sessions)."""

    async def current(self, request: Request) -> SignedIn | None: ...


def profile_router(profiles: CitizenProfiles, sessions: SignedInCitizens, catalogue: Catalogue) -> APIRouter:
    router = APIRouter(prefix="/v1")
    _reading(router, profiles, sessions, catalogue)
    _changing(router, profiles, sessions)
    return router


async def _citizen(sessions: SignedInCitizens, request: Request, *, changes: bool = False) -> str:
    if changes and not from_this_site(request, allow_null=False):
        raise CROSS_SITE
    signed_in = await sessions.current(request)
    if signed_in is None:
        raise NOT_SIGNED_IN
    return signed_in.citizen_id


def _reading(router: APIRouter, profiles: CitizenProfiles, sessions: SignedInCitizens, catalogue: Catalogue) -> None:
    @router.get(
        "/profile", operation_id="profile", responses=answers(200, ProfileBody, "Your profile", 401, 404, 500, 503)
    )
    async def profile(request: Request) -> JSONResponse:
        citizen_id = await _citizen(sessions, request)
        found = await profiles.profile(citizen_id)
        if found is None:
            raise NO_PROFILE
        body = {"values": _values(await profiles.values(citizen_id)), "contact": found.contact.model_dump(mode="json")}
        return JSONResponse(body, headers=NO_STORE)

    @router.get(
        "/profile/submissions",
        operation_id="own_submissions",
        responses=answers(200, SubmissionList, "Your applications, newest first", 401, 500, 503),
    )
    async def submissions(request: Request) -> JSONResponse:
        found = await profiles.submissions(await _citizen(sessions, request))
        return JSONResponse([_submission(own) for own in found], headers=NO_STORE)

    @router.get(
        "/prefill",
        operation_id="prefill",
        responses=answers(200, PrefillList, "Your values for the service's form", 401, 404, 422, 500, 503),
    )
    async def prefill(request: Request, service_id: str) -> JSONResponse:
        citizen_id = await _citizen(sessions, request)
        spec = catalogue.get(service_id)
        if spec is None:
            raise UNKNOWN_SERVICE
        return JSONResponse(_values(await profiles.prefill(citizen_id, spec)), headers=NO_STORE)


def _changing(router: APIRouter, profiles: CitizenProfiles, sessions: SignedInCitizens) -> None:
    @router.put(
        "/profile/contact",
        status_code=202,
        operation_id="change_contact",
        responses=answers(202, None, "Passed on; the profile shows it soon", 400, 401, 403, 413, 415, 422, 500, 503),
        openapi_extra=CONTACT_BODY,
    )
    async def change_contact(request: Request) -> Response:
        citizen_id = await _citizen(sessions, request, changes=True)
        contact = await _contact(request)
        try:
            await profiles.change_contact(citizen_id, contact)
        except NotPublished as error:
            raise NOT_PUBLISHED from error
        return Response(status_code=202, headers=NO_STORE)

    @router.delete(
        "/profile",
        status_code=204,
        operation_id="erase_profile",
        responses=answers(204, None, "Erased, here and by every service", 401, 403, 500, 503),
    )
    async def erase(request: Request) -> Response:
        citizen_id = await _citizen(sessions, request, changes=True)
        try:
            await profiles.erase(citizen_id)
        except NotPublished as error:
            raise NOT_PUBLISHED from error
        return Response(status_code=204, headers=NO_STORE)


def _submission(own: OwnSubmission) -> dict[str, str]:
    return {
        "submission_id": str(own.submission_id),
        "service_id": own.service_id,
        "received_at": own.received_at.isoformat(),
        "status": own.status,
    }


def _values(values: list[ProfileValue]) -> list[dict[str, Any]]:
    return [
        {
            "name": value.name,
            "value": value.value,
            "verified": value.verified,
            "source": value.source,
            "source_name": value.source_name,
            "at": value.at.isoformat(),
        }
        for value in values
    ]


async def _contact(request: Request) -> ContactPreferences:
    payload = await read_json(request, CONTACT_LIMIT, BODY_TIMEOUT_SECONDS, "the preferences")
    try:
        return ContactPreferences.model_validate(payload)
    except ValidationError as error:
        language = preferred_language(request.headers.get("accept-language"))
        raise Problem(
            422,
            "invalid-contact-preferences",
            "Invalid contact preferences",
            "Some fields failed validation; nothing was changed.",
            contact_errors(error, language),
        ) from error
