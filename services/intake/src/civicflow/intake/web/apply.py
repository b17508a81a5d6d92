"""The citizen's way through an application, as server-rendered pages that need no JavaScript: fill in the form,
check the answers, submit, and follow the status.

Every step is a plain form post (with a CSRF token, web.csrf); the answers travel in the summary page's hidden
fields, so nothing is stored before the citizen submits. The summary carries an idempotency key, so a double tap
or a page sent again files one application."""

import logging
import secrets
from typing import Any
from uuid import uuid4

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from civicflow.intake.domain.attachment_messages import attachment_errors
from civicflow.intake.domain.catalogue import Catalogue
from civicflow.intake.domain.experience import device_of
from civicflow.intake.domain.idempotency import (
    IdempotencyKeyInvalid,
    IdempotencyKeyReused,
    IdempotentRequest,
    body_hash,
    checked_key,
)
from civicflow.intake.domain.messages import Language
from civicflow.intake.domain.profile import ProfileValue
from civicflow.intake.domain.sign_in import SignedIn, enough
from civicflow.intake.domain.validation import ValidSubmission, validate_submission
from civicflow.intake.domain.validation_errors import FieldError
from civicflow.intake.handlers import AttachmentsInvalid, Intake, SubmissionNotStored, TraceContext, accept_submission
from civicflow.intake.profiles import CitizenProfiles
from civicflow.intake.web import csrf
from civicflow.intake.web.attaching import FILES, POINTER
from civicflow.intake.web.fields import (
    Input,
    applicant_inputs,
    display_value,
    service_inputs,
)
from civicflow.intake.web.i18n import words
from civicflow.intake.web.journey import FORM_LIMIT, Journey, Posted, fileable, read, verified_values
from civicflow.intake.web.pages import Pages, language_of
from civicflow.intake.web.posted import PostRefused, form_of
from civicflow.intake.web.prefill import prefilled
from civicflow.intake.web.recorder import Recorder
from civicflow.intake.web.sign_in import Sessions
from civicflow.shared.events import ChannelChoice
from civicflow.shared.events.experience import ExperienceKind

logger = logging.getLogger(__name__)


class Apply:
    """The routes' collaborators, so that each route stays a few lines."""

    def __init__(
        self,
        pages: Pages,
        catalogue: Catalogue,
        intake: Intake,
        experience: Recorder,
        sessions: Sessions,
        secure_cookies: bool,
        profiles: CitizenProfiles,
    ) -> None:
        self.pages, self.catalogue, self.intake = pages, catalogue, intake
        self.experience, self.sessions, self.secure_cookies = experience, sessions, secure_cookies
        self.profiles = profiles

    async def start_page(self, request: Request, service_id: str, language: Language) -> Response:
        spec = self.catalogue.get(service_id)
        if spec is None:
            return self.pages.not_found(request, language)
        signed_in = await self.sessions.current(request)
        if not enough(signed_in, spec.minimum_level_of_assurance):
            path = f"/services/{service_id}/apply"
            offered = {"service": spec, "signed_in": signed_in, "providers": self.sessions.choices}
            return self.pages.render(request, "sign_in.html", language, path, offered)
        device = device_of(request.headers.get("user-agent"))
        inputs = [*applicant_inputs(language), *service_inputs(spec, language)]
        found = await prefilled(self.profiles, signed_in, spec, inputs)
        values = found.values | verified_values(signed_in)
        # Who kept a profile consented before: the box stays ticked unless they untick it.
        journey = Journey(spec, language, values, [], uuid4(), device, signed_in, found.has_profile)
        await self.record(journey, ExperienceKind.FORM_STARTED)
        return self.form_page(request, journey, [], found.sources)

    def form_page(
        self,
        request: Request,
        journey: Journey,
        errors: list[FieldError],
        sources: dict[str, ProfileValue] | None = None,
        status: int = 200,
    ) -> Response:
        inputs = [*applicant_inputs(journey.language), *service_inputs(journey.spec, journey.language)]
        token = csrf.token_for(request)
        by_pointer: dict[str, list[str]] = {}
        for error in errors:
            name = FILES if error.pointer.startswith(POINTER) else error.pointer
            by_pointer.setdefault(name, []).append(error.detail)
        context = {
            "service": journey.spec,
            "applicant_inputs": inputs[:7],
            "service_inputs": inputs[7:],
            "values": journey.values,
            "errors": {item.name: " ".join(by_pointer[item.pointer]) for item in inputs if item.pointer in by_pointer},
            "file_errors": by_pointer.get(FILES, []),
            "error_list": _error_list(inputs, errors),
            "attached": journey.attached,
            "verified": verified_values(journey.signed_in),
            "signed_in": journey.signed_in,
            "offer_profile": journey.signed_in is not None,
            "keep_profile": journey.keep_profile,
            "sources": sources or {},
            "csrf": token,
            "journey": journey.journey_id,
        }
        path = f"/services/{journey.spec.service_id}/apply"
        response = self.pages.render(request, "apply.html", journey.language, path, context)
        response.status_code = status
        csrf.remember(response, token, secure=self.secure_cookies)
        return response

    def summary_page(self, request: Request, journey: Journey, chosen: ChannelChoice | None) -> Response:
        inputs = [*applicant_inputs(journey.language), *service_inputs(journey.spec, journey.language)]
        values = journey.values
        t = words(journey.language)
        context = {
            "notified_by": None if chosen is None else t["notified_by"].format(channel=t[f"channel_{chosen.channel}"]),
            "service": journey.spec,
            "answers": [(item, display_value(item, values[item.name])) for item in inputs if item.name in values],
            "values": values,
            "attached": journey.attached,
            "offer_profile": journey.signed_in is not None,
            "keep_profile": journey.keep_profile,
            "csrf": csrf.token_for(request),
            "journey": journey.journey_id,
            # A new key for each summary shown: the same page sent twice files once, changed answers file anew.
            "key": secrets.token_urlsafe(24),
        }
        path = f"/services/{journey.spec.service_id}/apply"
        return self.pages.render(request, "summary.html", journey.language, path, context)

    async def chosen_channel(self, signed_in: SignedIn | None) -> ChannelChoice | None:
        """The channel the signed-in citizen chose on their profile page, where it is not e-mail (the fallback): the
        application asks notify to use it (SubmissionRequest.notify_by)."""
        if signed_in is None:
            return None
        try:
            profile = await self.profiles.profile(signed_in.citizen_id)
        except Exception:
            logger.warning("profile not read for the channel", exc_info=True)
            return None
        if profile is None or profile.contact.channel == "email":
            return None
        return profile.contact.channel_choice()

    async def refused(self, request: Request, journey: Journey, errors: list[FieldError]) -> Response:
        for error in errors:  # the field, never the value
            await self.record(journey, ExperienceKind.VALIDATION_FAILED, error.pointer)
        return self.form_page(request, journey, errors, status=422)

    async def record(self, journey: Journey, kind: ExperienceKind, field: str | None = None) -> None:
        spec = journey.spec
        try:
            await self.experience.record(
                kind, spec.service_id, journey.journey_id, journey.language, journey.device, field
            )
        except ValueError:  # a step the recorder refuses is not worth a citizen's page
            logger.warning("experience step not recorded: %s", kind)


def apply_router(apply: Apply) -> APIRouter:
    router = APIRouter(include_in_schema=False)
    catalogue = apply.catalogue

    @router.get("/services/{service_id}/apply", response_class=HTMLResponse)
    async def start(request: Request, service_id: str, lang: str | None = None) -> Response:
        return await apply.start_page(request, service_id, language_of(request, lang))

    @router.post("/services/{service_id}/apply", response_class=HTMLResponse)
    async def check(request: Request, service_id: str, lang: str | None = None) -> Response:
        posted = await _posted(apply, request, service_id, lang, uploads=True)
        if isinstance(posted, Response):
            return posted
        journey, upload_errors = posted.journey, posted.upload_errors
        if posted.action == "change":
            return apply.form_page(request, journey, upload_errors)
        valid = validate_submission(journey.body(), catalogue, journey.language)
        if upload_errors or not isinstance(valid, ValidSubmission):
            return await apply.refused(request, journey, [*upload_errors, *(valid if isinstance(valid, list) else [])])
        await apply.record(journey, ExperienceKind.SUMMARY_REACHED)
        return apply.summary_page(request, journey, await apply.chosen_channel(journey.signed_in))

    @router.post("/services/{service_id}/submit", response_class=HTMLResponse)
    async def submit(request: Request, service_id: str, lang: str | None = None) -> Response:
        posted = await _posted(apply, request, service_id, lang, uploads=False)
        if isinstance(posted, Response):
            return posted
        journey = posted.journey
        body = journey.body()
        chosen = await apply.chosen_channel(journey.signed_in)
        if chosen is not None:
            body["notify_by"] = chosen.model_dump(mode="json", exclude_none=True)
        valid = validate_submission(body, catalogue, journey.language)
        if not isinstance(valid, ValidSubmission):
            return await apply.refused(request, journey, valid)
        return await _file(apply, request, valid, journey, body, posted.key)

    return router


async def _posted(
    apply: Apply, request: Request, service_id: str, lang: str | None, *, uploads: bool
) -> Posted | Response:
    """A genuine post of the form of a service the page files, as the journey it continues, with the errors of its
    uploads; else the page that says why not."""
    signed_in = await apply.sessions.current(request)
    spec, language = fileable(apply.catalogue, service_id, signed_in), language_of(request, lang)
    if spec is None:
        return apply.pages.not_found(request, language)
    rules = spec.attachments
    limit = FORM_LIMIT + (rules.max_files * rules.max_bytes_each if uploads else 0)
    try:
        form = await form_of(request, limit, max_files=rules.max_files if uploads else 0)
    except PostRefused as refused:
        return apply.pages.problem(request, language, refused.status, refused.reason)
    try:
        if not csrf.genuine(request, form.get(csrf.FIELD)):
            return apply.pages.problem(request, language, 403, "expired")
        return await read(apply.intake.attachments, request, spec, language, form, uploads, signed_in)
    except Exception:  # noqa: BLE001 - the store is away: nothing was kept, the citizen may retry
        return apply.pages.problem(request, language, 503, "unavailable")
    finally:
        await form.close()  # the uploads spooled to disk


async def _file(
    apply: Apply, request: Request, valid: ValidSubmission, journey: Journey, body: dict[str, Any], key: object
) -> Response:
    language = journey.language
    try:
        idempotent = IdempotentRequest(checked_key(str(key)), body_hash(body))
        accepted = await accept_submission(valid, apply.intake, TraceContext.current(), idempotent)
    except (IdempotencyKeyInvalid, IdempotencyKeyReused):
        return apply.pages.problem(request, language, 409, "resubmitted")
    except AttachmentsInvalid as invalid:
        return await apply.refused(
            request, journey, attachment_errors(invalid.issues, journey.spec.attachments, language)
        )
    except SubmissionNotStored:
        return apply.pages.problem(request, language, 503, "unavailable")
    if accepted.stored_now:  # a double tap is one application, and one step of the funnel
        await apply.record(journey, ExperienceKind.SUBMITTED)
    location = f"/status/{accepted.submission_id}?token={accepted.status_token}&lang={language}&new=1"
    response = RedirectResponse(location, status_code=303, headers={"Cache-Control": "no-store"})
    if journey.signed_in is not None:
        await apply.sessions.end(request, response)
    return response


def _error_list(inputs: list[Input], errors: list[FieldError]) -> list[tuple[str, str]]:
    """The error summary: each error linked to its input, in the order of the form."""
    ids = {item.pointer: item.id for item in inputs} | {POINTER: "f-files"}
    order = {item.pointer: index for index, item in enumerate(inputs)}
    ranked = sorted(errors, key=lambda error: order.get(error.pointer, len(order) - 1))
    return [
        (ids.get(error.pointer, "f-files" if error.pointer.startswith(POINTER) else "main"), error.detail)
        for error in ranked
    ]
