"""The insights API over HTTP, on fakes: the operators' token, JSON and CSV, the public performance, and RFC 9457
problems for what is wrong with a request."""

import csv
import io
from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI
from pydantic import SecretStr

from civicflow.insights.entrypoints.http import insights_router
from civicflow.insights.entrypoints.operator import operator_only
from civicflow.insights.reports import Targets
from civicflow.shared.problems import INVALID_PARAMETERS, PROBLEM_JSON, install_problem_handlers
from tests.support.insights_stream import DAY, EXPECTED_FUNNEL, SERVICE, feed, stream
from tests.unit.insights.fakes import FakeApplications, FakeDays

TOKEN = "operators-only-token"
OPERATOR = {"Authorization": f"Bearer {TOKEN}"}
PERIOD = {"from": DAY.isoformat(), "to": "2026-11-05"}


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    days, applications = FakeDays(), FakeApplications()
    await feed(stream(), days, applications)
    app = FastAPI()
    install_problem_handlers(app, INVALID_PARAMETERS)
    app.include_router(insights_router(days, applications, Targets(30.0), operator_only(SecretStr(TOKEN))))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://insights") as client:
        yield client


async def test_insights_need_the_operators_token(client: httpx.AsyncClient) -> None:
    missing = await client.get(f"/v1/insights/{SERVICE}", params=PERIOD)
    wrong = await client.get(f"/v1/insights/{SERVICE}", params=PERIOD, headers={"Authorization": "Bearer nope"})
    assert (missing.status_code, missing.headers["www-authenticate"]) == (401, "Bearer")
    assert (wrong.status_code, wrong.headers["www-authenticate"]) == (401, 'Bearer error="invalid_token"')
    assert wrong.headers["content-type"] == PROBLEM_JSON and "funnel" not in wrong.text


async def test_insights_as_json(client: httpx.AsyncClient) -> None:
    answer = await client.get(f"/v1/insights/{SERVICE}", params=PERIOD, headers=OPERATOR)
    assert answer.status_code == 200, answer.text
    assert answer.headers["cache-control"] == "no-store"
    body = answer.json()
    assert {entry["step"]: entry["count"] for entry in body["funnel"]} == EXPECTED_FUNNEL
    assert (body["first"], body["last"], body["target_days"]) == ("2026-11-02", "2026-11-05", 30.0)


@pytest.mark.parametrize(("params", "headers"), [({"format": "csv"}, {}), ({}, {"Accept": "text/csv"})])
async def test_insights_as_csv_one_row_per_day_and_metric(
    client: httpx.AsyncClient, params: dict[str, str], headers: dict[str, str]
) -> None:
    answer = await client.get(f"/v1/insights/{SERVICE}", params=PERIOD | params, headers=OPERATOR | headers)
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(answer.text)))
    assert rows[0] == ["day", "metric", "value"]
    values = {(day, metric): value for day, metric, value in rows[1:]}
    assert values[("2026-11-02", "funnel.service_viewed")] == "4"
    assert values[("2026-11-02", "error_field./form/business_name")] == "2"
    assert values[("2026-11-02", "duration.to_route.p90_seconds")] == "7200.0"
    assert values[("2026-11-04", "funnel.decided")] == "1"
    assert values[("2026-11-05", "rating.4")] == "2"


async def test_the_public_performance_needs_no_token(client: httpx.AsyncClient) -> None:
    answer = await client.get(f"/v1/performance/{SERVICE}", params=PERIOD)
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert (body["volume"], body["median_days_to_decision"], body["satisfaction"]["mean"]) == (5, 1.0, 3.5)
    assert "funnel" not in body and "error_fields" not in body


@pytest.mark.parametrize(
    ("path", "params", "pointer"),
    [
        (f"/v1/insights/{SERVICE}", {"from": "2026-11-05", "to": "2026-11-02"}, "/query/from"),
        (f"/v1/insights/{SERVICE}", {"from": "2024-01-01", "to": "2026-11-02"}, "/query/from"),
        (f"/v1/insights/{SERVICE}", {"from": "yesterday"}, "/query/from"),
        (f"/v1/insights/{SERVICE}", {"agency": "Not An Agency!"}, "/query/agency"),
        ("/v1/insights/not-a-service", {}, "/path/service_id"),
        (f"/v1/performance/{SERVICE}", {"format": "xml"}, None),
    ],
)
async def test_bad_parameters_are_problems(
    client: httpx.AsyncClient, path: str, params: dict[str, str], pointer: str | None
) -> None:
    answer = await client.get(path, params=params, headers=OPERATOR)
    if pointer is None:  # an unknown parameter is ignored
        assert answer.status_code == 200
        return
    assert answer.status_code == 400, answer.text
    assert answer.headers["content-type"] == PROBLEM_JSON
    body = answer.json()
    assert body["type"] == "/problems/invalid-parameter"
    assert pointer in [error["pointer"] for error in body["errors"]]
