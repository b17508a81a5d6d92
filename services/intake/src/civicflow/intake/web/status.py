"""The citizen's status page, behind the status link."""

from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from civicflow.intake.domain.clarification import chosen_names, open_question
from civicflow.intake.domain.submission import SubmissionRecord, status_token_matches
from civicflow.intake.web import csrf
from civicflow.intake.web.apply import Apply
from civicflow.intake.web.pages import FORM_HEADERS, language_of


def status_router(apply: Apply) -> APIRouter:
    """The citizen's status page, behind the status link (its token in the query: a page needs no header)."""
    router = APIRouter(include_in_schema=False)
    pages, catalogue = apply.pages, apply.catalogue

    @router.get("/status/{submission_id}", response_class=HTMLResponse)
    async def status(request: Request, submission_id: str, token: str = "", lang: str | None = None) -> Response:
        language = language_of(request, lang)
        record = await visible_record(apply, submission_id, token)
        if record is None:
            return pages.not_found(request, language)
        form_token = csrf.token_for(request)
        context = {
            "record": record,
            "service": catalogue.get(record.service_id),
            "token": token,
            "fresh": request.query_params.get("new") == "1",
            # routing's question while it waits for the answer, with the names of what was offered
            "question": open_question(record),
            "names": chosen_names(record),
            "unanswered": request.query_params.get("unanswered") == "1",
            "csrf": form_token,
        }
        response = pages.render(request, "status.html", language, f"/status/{submission_id}", context, FORM_HEADERS)
        if context["question"] is not None:  # the answer's form posts with a CSRF token (web.csrf)
            csrf.remember(response, form_token, secure=apply.secure_cookies)
        return response

    return router


async def visible_record(apply: Apply, submission_id: str, token: str) -> SubmissionRecord | None:
    """The submission, if the status token is its own; else None, alike for an unknown id and a wrong token."""
    try:
        record = await apply.intake.submissions.get(UUID(submission_id))
    except ValueError:
        return None
    if record is None or not status_token_matches(token[:100], record.status_token_hash):
        return None
    return record
