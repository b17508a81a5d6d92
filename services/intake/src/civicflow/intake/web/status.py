"""The citizen's status page, behind the status link: the timeline, routing's question and the agency's decision,
each with its form while it waits for the citizen's answer."""

from dataclasses import dataclass
from urllib.parse import quote
from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from starlette.datastructures import FormData

from civicflow.intake.domain.clarification import chosen_names, open_question
from civicflow.intake.domain.information import latest_decision, open_request
from civicflow.intake.domain.messages import Language
from civicflow.intake.domain.submission import SubmissionRecord, status_token_matches
from civicflow.intake.web import csrf
from civicflow.intake.web.apply import Apply
from civicflow.intake.web.pages import FORM_HEADERS, language_of
from civicflow.intake.web.posted import PostRefused, form_of


def status_router(apply: Apply) -> APIRouter:
    """The citizen's status page, behind the status link (its token in the query: a page needs no header)."""
    router = APIRouter(include_in_schema=False)

    @router.get("/status/{submission_id}", response_class=HTMLResponse)
    async def status(request: Request, submission_id: str, token: str = "", lang: str | None = None) -> Response:
        language = language_of(request, lang)
        record = await visible_record(apply, submission_id, token)
        if record is None:
            return apply.pages.not_found(request, language)
        return status_page(apply, request, record, token, language)

    return router


def status_page(
    apply: Apply,
    request: Request,
    record: SubmissionRecord,
    token: str,
    language: Language,
    *,
    unsent: str = "",
    answer_error: str | None = None,
) -> HTMLResponse:
    """The page; with `answer_error`, once more with the answer to the agency that was refused (`unsent`)."""
    form_token = csrf.token_for(request)
    context = {
        "record": record,
        "service": apply.catalogue.get(record.service_id),
        "token": token,
        "fresh": request.query_params.get("new") == "1",
        # routing's question while it waits for the answer, with the names of what was offered
        "question": open_question(record),
        "names": chosen_names(record),
        "unanswered": request.query_params.get("unanswered") == "1",
        # the agency's latest decision, and its request for information while it waits for the answer
        "decision": latest_decision(record),
        "information_request": open_request(record),
        "unsent": unsent,
        "answer_error": answer_error,
        "csrf": form_token,
    }
    path = f"/status/{record.submission_id}"
    response = apply.pages.render(request, "status.html", language, path, context, FORM_HEADERS)
    if answer_error is not None:
        response.status_code = 422
    if context["question"] is not None or context["information_request"] is not None:
        csrf.remember(response, form_token, secure=apply.secure_cookies)  # the answer's form posts with it (web.csrf)
    return response


async def visible_record(apply: Apply, submission_id: str, token: str) -> SubmissionRecord | None:
    """The submission, if the status token is its own; else None, alike for an unknown id and a wrong token."""
    try:
        record = await apply.intake.submissions.get(UUID(submission_id))
    except ValueError:
        return None
    if record is None or not status_token_matches(token[:100], record.status_token_hash):
        return None
    return record


# A redirect after a post names the status link (its token): no cache keeps it (RFC 9111 §5.2.2.5).
NO_STORE = {"Cache-Control": "no-store"}


@dataclass(frozen=True)
class StatusPost:
    """A form the citizen posted from their status page, read and checked: its fields and the submission."""

    form: FormData
    record: SubmissionRecord
    token: str


async def status_post(
    apply: Apply, request: Request, submission_id: str, language: Language, limit: int
) -> StatusPost | Response:
    """The posted form within `limit`, its CSRF token genuine (web.csrf) and its status token the submission's own;
    else the page that says why (nothing was taken)."""
    pages = apply.pages
    try:
        form = await form_of(request, limit)
    except PostRefused as refused:
        return pages.problem(request, language, refused.status, refused.reason)
    token = str(form.get("token", ""))
    # The pages for an answer that was not taken say what the citizen needs to know for any answer ("your answer").
    if not csrf.genuine(request, form.get(csrf.FIELD)):
        return pages.problem(request, language, 403, "clarification_expired")
    try:
        record = await visible_record(apply, submission_id, token)
    except Exception:  # noqa: BLE001 - the store is away: nothing was passed on, the citizen may retry
        return pages.problem(request, language, 503, "clarification_unavailable")
    if record is None:
        return pages.not_found(request, language)
    return StatusPost(form, record, token)


def status_link(posted: StatusPost, language: Language) -> str:
    """Where the citizen sees their status again after a post (post, redirect, get)."""
    return f"/status/{posted.record.submission_id}?token={quote(posted.token)}&lang={language}"
