"""The citizen's answer to routing's question, posted from the status page (web.status): authenticated by the status
token like the page itself, with a CSRF token (web.csrf). Taken, it shows the status page again (post, redirect,
get), which no longer asks."""

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from civicflow.intake.clarifications import AnswerNotTaken, Clarifications, NotOffered, NotWaiting
from civicflow.intake.web.apply import Apply
from civicflow.intake.web.pages import language_of
from civicflow.intake.web.status import NO_STORE, status_link, status_post

FORM_LIMIT = 4096


def clarify_router(apply: Apply, clarifications: Clarifications) -> APIRouter:
    router = APIRouter(include_in_schema=False)
    pages = apply.pages

    @router.post("/status/{submission_id}/clarification", response_class=HTMLResponse)
    async def clarify(request: Request, submission_id: str, lang: str | None = None) -> Response:
        language = language_of(request, lang)
        posted = await status_post(apply, request, submission_id, language, FORM_LIMIT)
        if isinstance(posted, Response):
            return posted
        status = status_link(posted, language)
        try:
            await clarifications.answer(posted.record, str(posted.form.get("municipality_key", "")))
        except NotOffered:  # nothing chosen (or a forged choice): the page asks again, saying so
            return RedirectResponse(f"{status}&unanswered=1#clarification", status_code=303, headers=NO_STORE)
        except NotWaiting:
            return pages.problem(request, language, 409, "clarified_already")
        except AnswerNotTaken:
            return pages.problem(request, language, 503, "clarification_unavailable")
        return RedirectResponse(status, status_code=303, headers=NO_STORE)

    return router
