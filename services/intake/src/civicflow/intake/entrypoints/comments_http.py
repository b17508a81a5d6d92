"""The ratings' comments for administration staff: GET /v1/ratings/{service_id}/comments, behind the operators' token
(a bearer token, RFC 6750; shared.operators). Each comment with its score, the case's outcome, the language and the
day, never the submission or the citizen: a comment is free text and may be personal, so it is read here, in intake,
and goes nowhere else (insights counts only that there was one)."""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query
from fastapi.responses import JSONResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, RootModel, SecretStr

from civicflow.intake.entrypoints.openapi import answers
from civicflow.intake.ratings import Ratings
from civicflow.shared.operators import operator_token_matches
from civicflow.shared.problems import Problem

DEFAULT_DAYS = 30
MAX_DAYS = 366
bearer = HTTPBearer(auto_error=False, scheme_name="OperatorToken", description="The operators' token")


class CommentBody(BaseModel):
    day: date
    score: int
    outcome: str
    language: str
    comment: str


class CommentList(RootModel[list[CommentBody]]):
    pass


def _answers() -> dict[int | str, dict[str, Any]]:
    documented = answers(200, CommentList, "The period's comments, newest first", 400, 401, 422, 500, 503)
    challenge = {
        "description": 'Bearer, with error="invalid_token" when a token was sent',
        "schema": {"type": "string"},
    }
    documented[401]["headers"] = {"WWW-Authenticate": challenge | {"required": True}}
    return documented


@dataclass(frozen=True)
class _Period:
    since: datetime
    until: datetime


def comments_router(ratings: Ratings, operator_token: SecretStr | None) -> APIRouter:
    router = APIRouter()

    async def operator(token: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]) -> None:
        sent = token.credentials if token else None
        if not operator_token_matches(sent, operator_token):
            challenge = 'Bearer error="invalid_token"' if sent else "Bearer"
            detail = "Send the operators' token as a bearer token."
            raise Problem(
                401, "invalid-token", "Invalid operator token", detail, headers={"WWW-Authenticate": challenge}
            )

    @router.get(
        "/v1/ratings/{service_id}/comments",
        operation_id="read_rating_comments",
        dependencies=[Depends(operator)],
        responses=_answers(),
    )
    async def comments(
        service_id: Annotated[str, Path(pattern=r"^[0-9]{14}$", description="the service's LeiKa key")],
        first: Annotated[
            date | None, Query(alias="from", description="first day (UTC), default 29 days before")
        ] = None,
        last: Annotated[date | None, Query(alias="to", description="last day (UTC), default today")] = None,
    ) -> JSONResponse:
        period = _period(first, last)
        found = await ratings.comments(service_id, period.since, period.until)
        body = [
            CommentBody(
                day=rating.at.date(),
                score=rating.score,
                outcome=rating.outcome,
                language=rating.language,
                comment=rating.comment or "",
            ).model_dump(mode="json")
            for rating in found
        ]
        return JSONResponse(body, headers={"Cache-Control": "no-store"})

    return router


def _period(first: date | None, last: date | None) -> _Period:
    last = last or datetime.now(UTC).date()
    first = first or last - timedelta(days=DEFAULT_DAYS - 1)
    if first > last or (last - first).days + 1 > MAX_DAYS:
        detail = f"`from` must not be after `to`, and a period is at most {MAX_DAYS} days."
        raise Problem(400, "invalid-period", "Invalid period", detail)
    start = datetime.combine(first, time(), tzinfo=UTC)
    return _Period(start, datetime.combine(last, time(), tzinfo=UTC) + timedelta(days=1))
