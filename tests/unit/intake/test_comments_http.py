"""The ratings' comments for staff, on a fake store: only with the operators' token, only the comments (with score,
outcome, language and day, never the submission), newest first, within the period asked for."""

from datetime import UTC, datetime
from uuid import uuid4

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pydantic import SecretStr

from civicflow.intake.domain.rating import Rating
from civicflow.intake.entrypoints.comments_http import comments_router
from civicflow.intake.ratings import Ratings
from civicflow.shared.problems import install_problem_handlers
from tests.unit.intake.fakes import FakeRelay
from tests.unit.intake.rating_fakes import FakeRatings

SERVICE, OTHER = "99050012104000", "99108001001000"
TOKEN = "operators-only-token"
STAFF = {"Authorization": f"Bearer {TOKEN}"}


def rated(day: int, comment: str | None, service: str = SERVICE) -> Rating:
    return Rating(4, comment, service, "accepted", "de", datetime(2026, 11, day, 9, tzinfo=UTC))


@pytest.fixture
def client() -> TestClient:
    store = FakeRatings()
    for kept in (rated(2, "Schnell."), rated(5, "Formular zu lang."), rated(5, None), rated(6, "Anderes", OTHER)):
        store.kept[uuid4()] = kept
    app = FastAPI()
    install_problem_handlers(app)
    app.include_router(comments_router(Ratings(store, FakeRelay()), SecretStr(TOKEN)))
    return TestClient(app)


def test_only_staff_read_the_comments(client: TestClient) -> None:
    for headers in ({}, {"Authorization": "Bearer guess"}):
        refused = client.get(f"/v1/ratings/{SERVICE}/comments", headers=headers)
        assert refused.status_code == 401 and refused.headers["www-authenticate"].startswith("Bearer")
        assert "Schnell" not in refused.text


def test_the_comments_of_the_period_newest_first_without_the_case(client: TestClient) -> None:
    answer = client.get(
        f"/v1/ratings/{SERVICE}/comments", params={"from": "2026-11-01", "to": "2026-11-05"}, headers=STAFF
    )
    assert answer.status_code == 200 and answer.headers["cache-control"] == "no-store"
    assert answer.json() == [
        {"day": "2026-11-05", "score": 4, "outcome": "accepted", "language": "de", "comment": "Formular zu lang."},
        {"day": "2026-11-02", "score": 4, "outcome": "accepted", "language": "de", "comment": "Schnell."},
    ]
    later = client.get(
        f"/v1/ratings/{SERVICE}/comments", params={"from": "2026-11-03", "to": "2026-11-05"}, headers=STAFF
    )
    assert [item["comment"] for item in later.json()] == ["Formular zu lang."]


def test_a_bad_period_or_service_is_a_problem(client: TestClient) -> None:
    backwards = client.get(
        f"/v1/ratings/{SERVICE}/comments", params={"from": "2026-11-05", "to": "2026-11-01"}, headers=STAFF
    )
    assert backwards.status_code == 400 and backwards.headers["content-type"] == "application/problem+json"
    assert client.get("/v1/ratings/<script>/comments", headers=STAFF).status_code in {400, 404, 422}
