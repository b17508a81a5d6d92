"""The citizen's status page, behind the status link."""

from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from civicflow.intake.domain.submission import status_token_matches
from civicflow.intake.web.apply import Apply
from civicflow.intake.web.pages import FORM_HEADERS, language_of


def status_router(apply: Apply) -> APIRouter:
    """The citizen's status page, behind the status link (its token in the query: a page needs no header)."""
    router = APIRouter(include_in_schema=False)
    pages, catalogue = apply.pages, apply.catalogue

    @router.get("/status/{submission_id}", response_class=HTMLResponse)
    async def status(request: Request, submission_id: str, token: str = "", lang: str | None = None) -> Response:
        language = language_of(request, lang)
        try:
            record = await apply.intake.submissions.get(UUID(submission_id))
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
