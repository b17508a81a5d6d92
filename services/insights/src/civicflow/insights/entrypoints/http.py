"""Insights over HTTP: GET /v1/insights/{service_id} for administration staff (the operators' token), as JSON or
CSV (Accept: text/csv or ?format=csv), and the public GET /v1/performance/{service_id}, as GOV.UK publishes its
services' figures. Periods are whole UTC days, both ends included, at most MAX_DAYS; by default the last 30."""

from collections.abc import Callable
from dataclasses import asdict
from datetime import UTC, date, datetime, timedelta
from typing import Annotated, Any, Literal

from civicflow_agency import wire
from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse, Response

from civicflow.insights.domain.export import csv_text
from civicflow.insights.domain.report import Period
from civicflow.insights.reports import DayReader, Targets, WaitingReader, read_insights, read_performance
from civicflow.shared.events.experience import ServiceId
from civicflow.shared.problems import bad_parameter

MAX_DAYS = 366
DEFAULT_DAYS = 30
CSV = "text/csv"
# Staff figures stay out of shared caches (RFC 9111 §5.2); the public ones may be cached a while.
PRIVATE = {"Cache-Control": "no-store"}
PUBLIC = {"Cache-Control": "public, max-age=300"}

ServicePath = Annotated[ServiceId, Path(description="The service's LeiKa key, as the catalogue names it")]
First = Annotated[date | None, Query(alias="from", description="first day (UTC), default 29 days before `to`")]
Last = Annotated[date | None, Query(alias="to", description="last day (UTC), default today")]
Agency = Annotated[str | None, Query(pattern=wire.AGENCY_ID.pattern, description="only this agency's figures")]


def insights_router(
    days: DayReader, waiting: WaitingReader, targets: Targets, operator: Callable[..., Any]
) -> APIRouter:
    router = APIRouter()

    @router.get("/v1/insights/{service_id}", operation_id="read_insights", dependencies=[Depends(operator)])
    async def insights(
        request: Request,
        service_id: ServicePath,
        first: First = None,
        last: Last = None,
        agency: Agency = None,
        format: Annotated[Literal["json", "csv"] | None, Query()] = None,
    ) -> Response:
        period = period_of(service_id, first, last, agency)
        if format == "csv" or (format is None and CSV in request.headers.get("accept", "")):
            totals = await days.totals(service_id, period.first, period.last)
            name = f"insights-{service_id}-{period.first}-{period.last}.csv"
            headers = PRIVATE | {"Content-Disposition": f'attachment; filename="{name}"'}
            return Response(csv_text(totals, agency), media_type=f"{CSV}; charset=utf-8", headers=headers)
        found = await read_insights(period, days, waiting, targets, datetime.now(UTC))
        return JSONResponse(jsonable_encoder(asdict(found)), headers=PRIVATE)

    @router.get("/v1/performance/{service_id}", operation_id="read_performance")
    async def performance(service_id: ServicePath, first: First = None, last: Last = None) -> JSONResponse:
        found = await read_performance(period_of(service_id, first, last, None), days)
        return JSONResponse(jsonable_encoder(asdict(found)), headers=PUBLIC)

    return router


def period_of(service_id: str, first: date | None, last: date | None, agency: str | None) -> Period:
    """The period asked for (by default the last DEFAULT_DAYS days), or a problem naming the parameter."""
    last = last or datetime.now(UTC).date()
    first = first or last - timedelta(days=DEFAULT_DAYS - 1)
    if first > last:
        raise bad_parameter("/query/from", "`from` is after `to`.")
    if (last - first).days + 1 > MAX_DAYS:
        raise bad_parameter("/query/from", f"A period is at most {MAX_DAYS} days.")
    return Period(service_id, first, last, agency)
