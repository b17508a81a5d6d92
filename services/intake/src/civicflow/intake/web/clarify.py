"""The citizen's answer to routing's question, posted from the status page (web.status): authenticated by the status
token like the page itself, with a CSRF token (web.csrf). Taken, it shows the status page again (post, redirect,
get), which no longer asks."""

from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from civicflow.intake.clarifications import AnswerNotTaken, Clarifications, NotOffered, NotWaiting
from civicflow.intake.web import csrf
from civicflow.intake.web.apply import Apply
from civicflow.intake.web.pages import language_of
from civicflow.intake.web.posted import PostRefused, form_of
from civicflow.intake.web.status import visible_record

FORM_LIMIT = 4096
# The redirect names the status link (its token): no cache keeps it (RFC 9111 §5.2.2.5).
NO_STORE = {"Cache-Control": "no-store"}


def clarify_router(apply: Apply, clarifications: Clarifications) -> APIRouter:
    router = APIRouter(include_in_schema=False)
    pages = apply.pages

    @router.post("/status/{submission_id}/clarification", response_class=HTMLResponse)
    async def clarify(request: Request, submission_id: str, lang: str | None = None) -> Response:
        language = language_of(request, lang)
        try:
            form = await form_of(request, FORM_LIMIT)
        except PostRefused as refused:
            return pages.problem(request, language, refused.status, refused.reason)
        token, chosen = str(form.get("token", "")), str(form.get("municipality_key", ""))
        if not csrf.genuine(request, form.get(csrf.FIELD)):
            return pages.problem(request, language, 403, "clarification_expired")
        try:
            record = await visible_record(apply, submission_id, token)
        except Exception:  # noqa: BLE001 - the store is away: nothing was passed on, the citizen may retry
            return pages.problem(request, language, 503, "clarification_unavailable")
        if record is None:
            return pages.not_found(request, language)
        status = f"/status/{record.submission_id}?token={quote(token)}&lang={language}"
        try:
            await clarifications.answer(record, chosen)
        except NotOffered:  # nothing chosen (or a forged choice): the page asks again, saying so
            return RedirectResponse(f"{status}&unanswered=1#clarification", status_code=303, headers=NO_STORE)
        except NotWaiting:
            return pages.problem(request, language, 409, "clarified_already")
        except AnswerNotTaken:
            return pages.problem(request, language, 503, "clarification_unavailable")
        return RedirectResponse(status, status_code=303, headers=NO_STORE)

    return router
