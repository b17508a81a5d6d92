"""The citizen's answer to the agency's request for information, posted from the status page (web.status):
authenticated by the status token like the page itself, with a CSRF token (web.csrf). Taken, it shows the status
page again (post, redirect, get), with the answer as sent; refused, the page once more with what was typed and why
it was refused."""

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from civicflow.intake.domain.information import NotWritten, written
from civicflow.intake.domain.messages import message
from civicflow.intake.information import AnswerNotTaken, Answers, NotAsked
from civicflow.intake.web.apply import Apply
from civicflow.intake.web.pages import language_of
from civicflow.intake.web.status import NO_STORE, status_link, status_page, status_post

# 2,000 characters of up to four UTF-8 bytes, each byte percent-encoded in three (the HTML form's urlencoding).
FORM_LIMIT = 32 * 1024


def inform_router(apply: Apply, answers: Answers) -> APIRouter:
    router = APIRouter(include_in_schema=False)
    pages = apply.pages

    @router.post("/status/{submission_id}/information", response_class=HTMLResponse)
    async def inform(request: Request, submission_id: str, lang: str | None = None) -> Response:
        language = language_of(request, lang)
        posted = await status_post(apply, request, submission_id, language, FORM_LIMIT)
        if isinstance(posted, Response):
            return posted
        text = str(posted.form.get("answer", ""))
        try:
            answer = written(text)
        except NotWritten as refused:
            error = message(refused.kind, language)
            return status_page(apply, request, posted.record, posted.token, language, unsent=text, answer_error=error)
        try:
            await answers.answer(posted.record, answer)
        except NotAsked:
            return pages.problem(request, language, 409, "informed_already")
        except AnswerNotTaken:
            return pages.problem(request, language, 503, "clarification_unavailable")
        return RedirectResponse(f"{status_link(posted, language)}#decision", status_code=303, headers=NO_STORE)

    return router
