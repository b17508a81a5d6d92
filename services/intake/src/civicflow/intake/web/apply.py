"""The citizen's way through an application, as server-rendered pages that need no JavaScript: fill in the form,
check the answers, submit, and follow the status.

Every step is a plain form post (with a CSRF token, web.csrf); the answers travel in the summary page's hidden
fields, so nothing is stored before the citizen submits. The summary carries an idempotency key, so a double tap
or a page sent again files one application."""

import secrets
from dataclasses import dataclass
from typing import Any
from uuid import UUID, uuid4

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import FormData

from civicflow.intake.domain.catalogue import Catalogue, ServiceSpec
from civicflow.intake.domain.idempotency import (
    IdempotencyKeyInvalid,
    IdempotencyKeyReused,
    IdempotentRequest,
    body_hash,
    checked_key,
)
from civicflow.intake.domain.messages import Language
from civicflow.intake.domain.submission import status_token_matches
from civicflow.intake.domain.validation import FieldError, ValidSubmission, validate_submission
from civicflow.intake.handlers import Relay, SubmissionNotStored, Submissions, TraceContext, accept_submission
from civicflow.intake.web import csrf
from civicflow.intake.web.fields import (
    Input,
    applicant_inputs,
    display_value,
    posted_values,
    request_body,
    service_inputs,
)
from civicflow.intake.web.pages import FORM_HEADERS, Pages, language_of
from civicflow.intake.web.posted import PostRefused, form_of
from civicflow.shared.security.sealing import Sealer

FORM_LIMIT = 1024 * 1024


class Apply:
    """The routes' collaborators, so that each route stays a few lines."""

    def __init__(
        self,
        pages: Pages,
        catalogue: Catalogue,
        submissions: Submissions,
        relay: Relay,
        sealer: Sealer,
        secure_cookies: bool,
    ) -> None:
        self.pages, self.catalogue, self.submissions = pages, catalogue, submissions
        self.relay, self.sealer, self.secure_cookies = relay, sealer, secure_cookies

    def start_page(self, request: Request, service_id: str, language: Language) -> Response:
        spec = self.catalogue.get(service_id)
        if spec is None:
            return self.pages.not_found(request, language)
        if spec.minimum_level_of_assurance != "none":
            path = f"/services/{service_id}/apply"
            return self.pages.render(request, "sign_in.html", language, path, {"service": spec})
        return self.form_page(request, spec, language, {}, [])

    def form_page(
        self,
        request: Request,
        spec: ServiceSpec,
        language: Language,
        values: dict[str, str],
        errors: list[FieldError],
        status: int = 200,
    ) -> Response:
        inputs = [*applicant_inputs(language), *service_inputs(spec, language)]
        token = csrf.token_for(request)
        by_pointer = {error.pointer: error.detail for error in errors}
        context = {
            "service": spec,
            "applicant_inputs": inputs[:7],
            "service_inputs": inputs[7:],
            "values": values,
            "errors": {item.name: by_pointer[item.pointer] for item in inputs if item.pointer in by_pointer},
            "error_list": _error_list(inputs, errors),
            "csrf": token,
            "journey": _journey(request),
        }
        response = self.pages.render(request, "apply.html", language, f"/services/{spec.service_id}/apply", context)
        response.status_code = status
        csrf.remember(response, token, secure=self.secure_cookies)
        return response

    def summary_page(self, request: Request, spec: ServiceSpec, language: Language, values: dict[str, str]) -> Response:
        inputs = [*applicant_inputs(language), *service_inputs(spec, language)]
        answers = [(item, display_value(item, values[item.name])) for item in inputs if item.name in values]
        context = {
            "service": spec,
            "answers": answers,
            "values": values,
            "csrf": csrf.token_for(request),
            "journey": _journey(request),
            # A new key for each summary shown: the same page sent twice files once, changed answers file anew.
            "key": secrets.token_urlsafe(24),
        }
        return self.pages.render(request, "summary.html", language, f"/services/{spec.service_id}/apply", context)


def apply_router(apply: Apply) -> APIRouter:
    router = APIRouter(include_in_schema=False)
    catalogue = apply.catalogue

    @router.get("/services/{service_id}/apply", response_class=HTMLResponse)
    async def start(request: Request, service_id: str, lang: str | None = None) -> Response:
        return apply.start_page(request, service_id, language_of(request, lang))

    @router.post("/services/{service_id}/apply", response_class=HTMLResponse)
    async def check(request: Request, service_id: str, lang: str | None = None) -> Response:
        posted = await _posted(apply, request, service_id, lang)
        if isinstance(posted, Response):
            return posted
        if posted.form.get("action") == "change":
            return apply.form_page(request, posted.spec, posted.language, posted.values, [])
        valid = validate_submission(posted.body, catalogue, posted.language)
        if not isinstance(valid, ValidSubmission):
            return apply.form_page(request, posted.spec, posted.language, posted.values, valid, status=422)
        return apply.summary_page(request, posted.spec, posted.language, posted.values)

    @router.post("/services/{service_id}/submit", response_class=HTMLResponse)
    async def submit(request: Request, service_id: str, lang: str | None = None) -> Response:
        posted = await _posted(apply, request, service_id, lang)
        if isinstance(posted, Response):
            return posted
        valid = validate_submission(posted.body, catalogue, posted.language)
        if not isinstance(valid, ValidSubmission):
            return apply.form_page(request, posted.spec, posted.language, posted.values, valid, status=422)
        return await _file(apply, request, valid, posted)

    return router


def status_router(apply: Apply) -> APIRouter:
    """The citizen's status page, behind the status link (its token in the query: a page needs no header)."""
    router = APIRouter(include_in_schema=False)
    pages, catalogue = apply.pages, apply.catalogue

    @router.get("/status/{submission_id}", response_class=HTMLResponse)
    async def status(request: Request, submission_id: str, token: str = "", lang: str | None = None) -> Response:
        language = language_of(request, lang)
        try:
            record = await apply.submissions.get(UUID(submission_id))
        except ValueError:
            record = None
        if record is None or not status_token_matches(token[:100], record.status_token_hash):
            return pages.not_found(request, language)
        context = {
            "record": record,
            "service": catalogue.get(record.service_id),
            "token": token,
            "fresh": request.query_params.get("new") == "1",
        }
        return pages.render(request, "status.html", language, f"/status/{submission_id}", context, FORM_HEADERS)

    return router


def _fileable(catalogue: Catalogue, service_id: str) -> ServiceSpec | None:
    """The service, where the page can file it (until signing in comes, those that need no identity)."""
    spec = catalogue.get(service_id)
    return spec if spec is not None and spec.minimum_level_of_assurance == "none" else None


@dataclass(frozen=True)
class Posted:
    spec: ServiceSpec
    language: Language
    form: FormData
    values: dict[str, str]  # as typed, by input name
    body: dict[str, Any]  # as the API takes it


async def _posted(apply: Apply, request: Request, service_id: str, lang: str | None) -> Posted | Response:
    """A genuine post of the form of a service the page files; else the page that says why not."""
    spec, language = _fileable(apply.catalogue, service_id), language_of(request, lang)
    if spec is None:
        return apply.pages.not_found(request, language)
    try:
        form = await form_of(request, FORM_LIMIT)
    except PostRefused as refused:
        return apply.pages.problem(request, language, refused.status, refused.reason)
    if not csrf.genuine(request, form.get(csrf.FIELD)):
        return apply.pages.problem(request, language, 403, "expired")
    values = posted_values([*applicant_inputs(language), *service_inputs(spec, language)], form)
    return Posted(spec, language, form, values, request_body(spec, values, language))


async def _file(apply: Apply, request: Request, valid: ValidSubmission, posted: Posted) -> Response:
    language = posted.language
    try:
        idempotent = IdempotentRequest(checked_key(str(posted.form.get("key"))), body_hash(posted.body))
        accepted = await accept_submission(
            valid, apply.submissions, apply.relay, apply.sealer, TraceContext(None, {}), idempotent
        )
    except (IdempotencyKeyInvalid, IdempotencyKeyReused):
        return apply.pages.problem(request, language, 409, "resubmitted")
    except SubmissionNotStored:
        return apply.pages.problem(request, language, 503, "unavailable")
    location = f"/status/{accepted.submission_id}?token={accepted.status_token}&lang={language}&new=1"
    return RedirectResponse(location, status_code=303, headers={"Cache-Control": "no-store"})


def _journey(request: Request) -> str:
    """The visit's random id for the experience events, kept across the journey's pages."""
    return str(uuid4())


def _error_list(inputs: list[Input], errors: list[FieldError]) -> list[tuple[str, str]]:
    """The error summary: each error linked to its input, in the order of the form."""
    ids = {item.pointer: item.id for item in inputs}
    order = {item.pointer: index for index, item in enumerate(inputs)}
    ranked = sorted(errors, key=lambda error: order.get(error.pointer, len(order)))
    return [(ids.get(error.pointer, "main"), error.detail) for error in ranked]
