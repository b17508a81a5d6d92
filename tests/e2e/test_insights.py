"""Insights through the running stack: an application posted to intake, once routed, moves the funnel that
GET /v1/insights shows the operators (with their token, and only with it); a page step reported to intake moves
the page's part of the funnel; the public performance figures move too."""

from datetime import UTC, datetime
from typing import Any
from uuid import uuid4

import httpx
import pytest

from civicflow.insights.domain.percentiles import BOUNDS
from civicflow.local.idp import SigningKey
from civicflow.local.layout import Layout
from civicflow.local.sample import application
from tests.support.journeys import eventually, post, until_settled

pytestmark = pytest.mark.e2e

SERVICE = "99050012104000"  # the sample application's


def counts(insights: dict[str, Any]) -> dict[str, int]:
    return {entry["step"]: entry["count"] for entry in insights["funnel"]}


async def test_a_routed_application_moves_the_funnel_the_operators_see(stack: Layout) -> None:
    operator = {"Authorization": f"Bearer {stack.secrets.operator_token()}"}
    today = {"from": datetime.now(UTC).date().isoformat(), "to": datetime.now(UTC).date().isoformat()}
    async with httpx.AsyncClient(base_url=stack.insights_url, timeout=10.0) as insights:

        async def read() -> dict[str, Any]:
            answer = await insights.get(f"/v1/insights/{SERVICE}", params=today, headers=operator)
            assert answer.status_code == 200, answer.text
            found: dict[str, Any] = answer.json()
            return found

        refused = await insights.get(f"/v1/insights/{SERVICE}", params=today)
        assert refused.status_code == 401 and refused.headers["content-type"] == "application/problem+json"
        before = counts(await read())
        performance_before = (await insights.get(f"/v1/performance/{SERVICE}", params=today)).json()

        provider = SigningKey.load_or_create(stack.idp_state_dir)
        async with httpx.AsyncClient(base_url=stack.intake_url, timeout=10.0) as intake:
            viewed = {"kind": "service_viewed", "service_id": SERVICE, "journey_id": str(uuid4()), "language": "en"}
            reported = await intake.post("/v1/experience", json=viewed)
            assert reported.status_code == 202, reported.text
            posted = await post(intake, application(provider, stack.idp_issuer), "routed")
            status = await until_settled(intake, posted)
        assert status["status"] == "routed"

        def moved(found: dict[str, Any]) -> bool:
            now = counts(found)
            return all(now[step] >= before[step] + 1 for step in ("service_viewed", "received", "verified", "routed"))

        after = await eventually(read, moved, timeout=60.0)
        assert after["durations"]["to_route"]["count"] >= 1
        assert after["durations"]["to_route"]["p50_seconds"] in BOUNDS  # "at most": its histogram bucket's bound

        performance = (await insights.get(f"/v1/performance/{SERVICE}", params=today)).json()
        assert performance["volume"] >= performance_before["volume"] + 1
