"""The rating page, behind the link of the message that closes the case (handlers.rating_link): the status token
authenticates it as it does the status page (web.status), a CSRF token its post (web.csrf).

A GET only shows the form, a `score` in its query only preselects a button: mail clients and link scanners fetch
links before (or without) the citizen, so nothing a GET does may count. The post records: five submit buttons, so
that one click on the page rates (with the comment typed above them)."""

from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from civicflow.intake.domain.messages import Language
from civicflow.intake.domain.rating import NotRated, Rating, RatingField, checked, closing_outcome, preselected
from civicflow.intake.domain.submission import SubmissionRecord
from civicflow.intake.ratings import NotDecided, RatedAlready, RatingNotStored, Ratings
from civicflow.intake.web import csrf
from civicflow.intake.web.apply import Apply
from civicflow.intake.web.i18n import words
from civicflow.intake.web.pages import FORM_HEADERS, language_of
from civicflow.intake.web.status import NO_STORE, StatusPost, status_post, visible_record

# 1,000 characters of up to four UTF-8 bytes, each byte percent-encoded in three, and the other fields.
FORM_LIMIT = 16 * 1024


def rating_router(apply: Apply, ratings: Ratings) -> APIRouter:
    router = APIRouter(include_in_schema=False)
    pages = apply.pages

    @router.get("/status/{submission_id}/rating", response_class=HTMLResponse)
    async def rating(
        request: Request, submission_id: str, token: str = "", score: str | None = None, lang: str | None = None
    ) -> Response:
        language = language_of(request, lang)
        record = await visible_record(apply, submission_id, token)
        if record is None:
            return pages.not_found(request, language)
        page = RatingPage(apply, request, record, token, language)
        return page.render(await ratings.rated(record.submission_id), chosen=preselected(score))

    @router.post("/status/{submission_id}/rating", response_class=HTMLResponse)
    async def rate(request: Request, submission_id: str, lang: str | None = None) -> Response:
        language = language_of(request, lang)
        posted = await status_post(apply, request, submission_id, language, FORM_LIMIT)
        if isinstance(posted, Response):
            return posted
        page = RatingPage(apply, request, posted.record, posted.token, language)
        typed = posted.form.get("comment")
        try:
            score, comment = checked(posted.form.get("score"), typed)
        except NotRated as refused:
            rated = await ratings.rated(posted.record.submission_id)
            if rated is not None:  # nothing to correct: it was rated already
                return page.render(rated, status=409)
            return page.render(None, typed=typed if isinstance(typed, str) else "", failures=refused.failures)
        try:
            await ratings.rate(posted.record, score, comment, language)
        except NotDecided:
            return page.render(None, status=409)
        except RatedAlready:
            return page.render(await ratings.rated(posted.record.submission_id), status=409)
        except RatingNotStored:
            return pages.problem(request, language, 503, "rating_unavailable")
        return RedirectResponse(_thanked(posted, language), status_code=303, headers=NO_STORE)

    return router


def _thanked(posted: StatusPost, language: Language) -> str:
    """The rating page again after a post (post, redirect, get): it thanks the citizen."""
    return f"/status/{posted.record.submission_id}/rating?token={quote(posted.token)}&lang={language}&rated=1"


class RatingPage:
    """The page of one submission in its three states: not decided yet, rated (thanks), or the form."""

    def __init__(
        self, apply: Apply, request: Request, record: SubmissionRecord, token: str, language: Language
    ) -> None:
        self.apply, self.request, self.record, self.token, self.language = apply, request, record, token, language

    def render(
        self,
        rating: Rating | None,
        *,
        chosen: int | None = None,
        typed: str = "",
        failures: dict[RatingField, str] | None = None,
        status: int = 200,
    ) -> HTMLResponse:
        decided = closing_outcome(self.record) is not None
        form_token = csrf.token_for(self.request)
        t = words(self.language)
        errors = {field: t[_message(field, kind)] for field, kind in (failures or {}).items()}
        context: dict[str, Any] = {
            "record": self.record,
            "service": self.apply.catalogue.get(self.record.service_id),
            "token": self.token,
            "rating": rating,
            "just_rated": self.request.query_params.get("rated") == "1",
            "decided": decided,
            "chosen": chosen,
            "comment": typed,  # what the citizen typed in their own form, autoescaped
            "errors": errors,
            "error_list": [(_target(field), text) for field, text in errors.items()],
            "csrf": form_token,
        }
        path = f"/status/{self.record.submission_id}/rating"
        response = self.apply.pages.render(self.request, "rating.html", self.language, path, context, FORM_HEADERS)
        response.status_code = 422 if errors else status
        if decided and rating is None:
            csrf.remember(response, form_token, secure=self.apply.secure_cookies)  # the form posts with it
        return response


def _message(field: RatingField, kind: str) -> str:
    """The words for a field that failed, by its failure (domain.rating.checked): never quoting what was typed."""
    if field == "score":
        return "rating_choose"
    return "rating_comment_too_long" if kind == "maxLength" else "rating_comment_invalid"


def _target(field: RatingField) -> str:
    return "score-1" if field == "score" else "comment"
