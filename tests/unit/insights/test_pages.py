"""The insights pages on fakes fed the known stream (tests/support/insights_stream): the staff page behind the
operators' token (a browser's Basic prompt, or a bearer token), its figures, charts and export links, in German and
English; the public performance page for anyone; and nothing on either that runs or loads from elsewhere."""

import base64
import json
import re
from collections.abc import AsyncIterator
from pathlib import Path
from xml.etree import ElementTree

import httpx
import pytest
from fastapi import FastAPI
from pydantic import SecretStr

from civicflow.insights.entrypoints.operator import operator_only
from civicflow.insights.reports import Targets
from civicflow.insights.web.pages import STYLE_PATH, insights_pages_router
from civicflow.insights.web.views import duration_words, trace_view
from civicflow.shared.problems import INVALID_PARAMETERS, install_problem_handlers
from civicflow.shared.traces.waterfall import waterfall
from tests.support.insights_stream import DAY, SERVICE, feed, stream
from tests.unit.insights.fakes import FakeApplications, FakeDays

TOKEN = "operators-only-token"
PERIOD = {"from": DAY.isoformat(), "to": "2026-11-05"}


def basic(password: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"staff:{password}".encode()).decode()}


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    days, applications = FakeDays(), FakeApplications()
    await feed(stream(), days, applications)
    app = FastAPI()
    install_problem_handlers(app, INVALID_PARAMETERS)
    operator = operator_only(SecretStr(TOKEN), page=True)
    app.include_router(insights_pages_router(days, applications, Targets(30.0), operator))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://insights") as client:
        yield client


def charts_of(html: str) -> list[ElementTree.Element]:
    found = re.findall(r"<svg .*?</svg>", html, flags=re.DOTALL)
    return [ElementTree.fromstring(svg) for svg in found]  # noqa: S314 - our own page


async def test_the_staff_page_asks_a_browser_for_the_operators_token(client: httpx.AsyncClient) -> None:
    missing = await client.get(f"/insights/{SERVICE}", params=PERIOD)
    wrong = await client.get(f"/insights/{SERVICE}", params=PERIOD, headers=basic("guess"))
    for refused in (missing, wrong):
        assert refused.status_code == 401 and refused.headers["www-authenticate"].startswith('Basic realm="CivicFlow')
        assert "<svg" not in refused.text
    by_basic = await client.get(f"/insights/{SERVICE}", params=PERIOD, headers=basic(TOKEN))
    by_bearer = await client.get(f"/insights/{SERVICE}", params=PERIOD, headers={"Authorization": f"Bearer {TOKEN}"})
    assert by_basic.status_code == by_bearer.status_code == 200


async def test_the_staff_page_shows_the_figures_and_every_chart(client: httpx.AsyncClient) -> None:
    page = await client.get(f"/insights/{SERVICE}", params=PERIOD | {"lang": "en"}, headers=basic(TOKEN))
    html = page.text
    assert page.headers["cache-control"] == "no-store" and "script-src" not in page.headers["content-security-policy"]
    assert "<script" not in html and "http://" not in html.replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert [svg.get("role") for svg in charts_of(html)] == ["img"] * 6  # funnel, errors, 2 durations, rejections, 1-5
    assert "Applications received" in html and "Service page viewed" in html
    assert f'href="/v1/insights/{SERVICE}?from={DAY.isoformat()}&amp;to=2026-11-05&amp;format=csv"' in html
    assert f'href="{STYLE_PATH}"' in html
    german = await client.get(f"/insights/{SERVICE}", params=PERIOD, headers=basic(TOKEN))
    assert '<html lang="de">' in german.text and "Anträge eingegangen" in german.text


async def test_the_public_page_needs_no_token_and_shows_only_the_public_figures(client: httpx.AsyncClient) -> None:
    page = await client.get(f"/performance/{SERVICE}", params=PERIOD | {"lang": "en"})
    assert page.status_code == 200 and page.headers["cache-control"].startswith("public")
    assert "Completion rate" in page.text and "Satisfaction" in page.text
    assert len(charts_of(page.text)) == 1 and "Where people stumble" not in page.text
    style = await client.get(STYLE_PATH)
    assert style.status_code == 200 and style.headers["content-type"].startswith("text/css")


async def test_a_bad_period_is_a_problem_naming_the_parameter(client: httpx.AsyncClient) -> None:
    answer = await client.get(f"/performance/{SERVICE}", params={"from": "2026-11-05", "to": "2026-11-01"})
    assert answer.status_code == 400 and answer.json()["errors"][0]["pointer"] == "/query/from"


@pytest.mark.parametrize(
    ("seconds", "english", "german"),
    [(300, "5 min", "5 Min."), (7200, "2 h", "2 Std."), (86400, "1 day", "1 Tag"), (3 * 86400, "3 days", "3 Tage")],
)
def test_a_bucket_bound_is_said_in_the_unit_that_fits(seconds: int, english: str, german: str) -> None:
    assert (duration_words(seconds, "en"), duration_words(seconds, "de")) == (english, german)


async def test_without_a_trace_store_the_operator_page_says_so_and_asks_for_the_token(
    client: httpx.AsyncClient,
) -> None:
    path = "/operations/applications/00000000-0000-4000-8000-000000000001/trace"
    assert (await client.get(path)).status_code == 401
    page = await client.get(path, params={"lang": "en"}, headers=basic(TOKEN))
    assert page.status_code == 200 and "The trace store does not answer" in page.text
    assert (await client.get("/operations/applications/not-an-id/trace", headers=basic(TOKEN))).status_code == 400


def test_a_trace_is_drawn_as_a_waterfall_and_listed_row_by_row() -> None:
    recorded = json.loads((Path(__file__).parents[1] / "shared" / "jaeger_trace.json").read_text())
    found = waterfall(recorded["data"][0] if "data" in recorded else recorded)
    chart, rows = trace_view(found, "en")
    assert len(rows) == len(found.rows) > 0 and rows[0].start == "0.0 ms"
    assert ElementTree.fromstring(str(chart)).get("role") == "img"  # noqa: S314 - our own chart
    assert {row.service for row in rows} == set(found.services)
