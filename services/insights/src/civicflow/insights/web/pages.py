"""The insights pages, rendered on the server: /insights/{service_id} for administration staff (the operators' token,
as a bearer token or HTTP Basic's password: entrypoints.operator), filterable by agency and period, with CSV and JSON
links; and the public /performance/{service_id}, as GOV.UK publishes its services' figures. No script, no CDN: the
charts are inline SVG (web.charts), the style one file of our own."""

import logging
from collections.abc import Callable
from datetime import UTC, date, datetime
from importlib.resources import files
from typing import Annotated, Any, Final, Literal
from urllib.parse import urlencode
from uuid import UUID

from fastapi import APIRouter, Depends, Query
from fastapi.responses import HTMLResponse, Response
from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from civicflow.insights.entrypoints.http import Agency, First, Last, ServicePath, period_of
from civicflow.insights.reports import DayReader, Targets, WaitingReader, read_insights, read_performance
from civicflow.insights.web.views import public_view, staff_view, trace_view
from civicflow.insights.web.words import Language, words
from civicflow.shared.traces.jaeger import JaegerUnreachable, find_trace
from civicflow.shared.traces.waterfall import waterfall

logger = logging.getLogger(__name__)

STYLE_PATH: Final = "/insights-static/insights.css"
# An application's way through the services, for operators (the README's runbook).
TRACE_PATH: Final = "/operations/applications/{submission_id}/trace"
# Our own style and inline SVG only: nothing else loads, nothing runs, nothing frames the page.
PAGE_HEADERS: Final = {
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; "
        "base-uri 'none'"
    ),
    "Referrer-Policy": "no-referrer",
}
STAFF_HEADERS: Final = PAGE_HEADERS | {"Cache-Control": "no-store"}
PUBLIC_HEADERS: Final = PAGE_HEADERS | {"Cache-Control": "public, max-age=300"}
Lang = Annotated[Literal["de", "en"], Query(description="the page's language")]
_STYLE: Final = files("civicflow.insights.web").joinpath("static/insights.css").read_text(encoding="utf-8")
_TEMPLATES: Final = Environment(
    loader=PackageLoader("civicflow.insights.web", "templates"),
    autoescape=select_autoescape(default=True),
    undefined=StrictUndefined,
)


def insights_pages_router(
    days: DayReader,
    waiting: WaitingReader,
    targets: Targets,
    operator: Callable[..., Any],
    trace_store: str | None = None,
) -> APIRouter:
    """`trace_store`: Jaeger's query API, for the operator page's traces (none: that page says so)."""
    router = APIRouter(include_in_schema=False)

    @router.get("/insights/{service_id}", response_class=HTMLResponse, dependencies=[Depends(operator)])
    async def staff(
        service_id: ServicePath, first: First = None, last: Last = None, agency: Agency = None, lang: Lang = "de"
    ) -> Response:
        period = period_of(service_id, first, last, agency)
        found = await read_insights(period, days, waiting, targets, datetime.now(UTC))
        query = {"from": period.first, "to": period.last} | ({"agency": agency} if agency else {})
        context = {
            "view": staff_view(found, lang),
            "period": period,
            "csv": f"/v1/insights/{service_id}?{urlencode(query | {'format': 'csv'})}",
            "json": f"/v1/insights/{service_id}?{urlencode(query | {'format': 'json'})}",
            "other": f"/insights/{service_id}?{urlencode(query | {'lang': _other(lang)})}",
        }
        return _page("insights.html", lang, context, STAFF_HEADERS)

    @router.get("/performance/{service_id}", response_class=HTMLResponse)
    async def public(service_id: ServicePath, first: First = None, last: Last = None, lang: Lang = "de") -> Response:
        period = period_of(service_id, first, last, None)
        found = await read_performance(period, days)
        query = {"from": period.first, "to": period.last, "lang": _other(lang)}
        other = f"/performance/{service_id}?{urlencode(query)}"
        context = {"view": public_view(found, lang), "period": period, "other": other}
        return _page("performance.html", lang, context, PUBLIC_HEADERS)

    @router.get(TRACE_PATH, response_class=HTMLResponse, dependencies=[Depends(operator)])
    async def trace(submission_id: UUID, lang: Lang = "de") -> Response:
        t = words(lang)
        context: dict[str, Any] = {"submission_id": submission_id, "message": None, "chart": None, "rows": []}
        context["other"] = f"{TRACE_PATH.format(submission_id=submission_id)}?lang={_other(lang)}"
        try:
            found = None if trace_store is None else await find_trace(trace_store, submission_id)
        except JaegerUnreachable:
            logger.warning("trace store not reachable", exc_info=True)
            context["message"] = t["trace_store_away"]
        else:
            if found is None:
                context["message"] = t["trace_store_away"] if trace_store is None else t["trace_missing"]
            else:
                context["chart"], context["rows"] = trace_view(waterfall(found), lang)
        return _page("trace.html", lang, context, STAFF_HEADERS)

    @router.get(STYLE_PATH)
    async def style() -> Response:
        return Response(_STYLE, media_type="text/css", headers={"Cache-Control": "public, max-age=3600"})

    return router


def _page(template: str, language: Language, context: dict[str, Any], headers: dict[str, str]) -> HTMLResponse:
    page = _TEMPLATES.get_template(template).render(
        context | {"t": words(language), "lang": language, "style": STYLE_PATH, "day": _day}
    )
    return HTMLResponse(page, headers=headers)


def _day(value: date, language: Language) -> str:
    return value.strftime("%d.%m.%Y") if language == "de" else value.isoformat()


def _other(language: Language) -> Language:
    return "en" if language == "de" else "de"
