"""intake's whole app, built as in production but never started (no broker, no store reached)."""

from uuid import uuid4

from fastapi.testclient import TestClient

from civicflow.intake.config import IntakeRateLimit, IntakeSettings, IntakeWeb
from civicflow.intake.main import create_app
from tests.support.sealing import made_keys


def intake(**web: object) -> TestClient:
    settings = IntakeSettings(keys=made_keys(), web=IntakeWeb.model_validate(web))
    return TestClient(create_app(settings))  # without `with`: the lifespan never starts


def test_too_many_or_too_large_headers_are_a_431_problem() -> None:
    client = intake()
    many = {f"x-filler-{index}": "1" for index in range(100)}
    assert client.get("/health/live", headers=many).status_code == 431
    large = client.get("/health/live", headers={"x-filler": "y" * 20_000})
    assert large.status_code == 431 and large.headers["content-type"] == "application/problem+json"
    assert len(large.content) < 1000
    assert client.get("/health/live").status_code == 200


def test_browsers_may_call_the_api_only_from_configured_origins() -> None:
    preflight = {"Origin": "https://portal.example", "Access-Control-Request-Method": "POST"}
    closed = intake().options("/v1/submissions", headers=preflight)
    assert "access-control-allow-origin" not in closed.headers
    opened = intake(cors_origins=["https://portal.example"])
    allowed = opened.options("/v1/submissions", headers=preflight)
    assert allowed.headers["access-control-allow-origin"] == "https://portal.example"
    other = opened.options("/v1/submissions", headers=preflight | {"Origin": "https://elsewhere.example"})
    assert "access-control-allow-origin" not in other.headers


def test_the_service_pages_and_their_style_are_served() -> None:
    client = intake()
    page = client.get("/services/99050012104000")
    assert page.status_code == 200 and page.headers["content-security-policy"].startswith("default-src 'none'; style")
    style = client.get("/static/site.css")
    assert style.status_code == 200 and style.headers["content-type"].startswith("text/css")


def test_refusals_before_any_route_carry_the_security_headers_too() -> None:
    refused = intake().get("/health/live", headers={"x-filler": "y" * 20_000})
    assert refused.status_code == 431 and refused.headers["x-content-type-options"] == "nosniff"


def test_the_pages_report_their_funnel_with_a_limit_of_their_own() -> None:
    client = intake()
    operations = client.get("/openapi.json").json()["paths"]
    assert operations["/v1/experience"]["post"]["operationId"] == "report_experience"
    report = {"kind": "service_viewed", "service_id": "99050012104000", "journey_id": str(uuid4())}
    limit = IntakeRateLimit()
    answers = [client.post("/v1/experience", json=report).status_code for _ in range(limit.experience_burst + 1)]
    assert answers == [202] * limit.experience_burst + [429]
    refused = client.post("/v1/submissions", json={})
    assert refused.status_code == 422  # not 429: the reports left the submissions' bucket alone


def test_the_agencies_fetch_attachments_with_a_limit_of_their_own_and_a_503_until_the_registry_is_read() -> None:
    client = intake()
    path = "/v1/agencies/{agency_id}/attachments/{attachment_id}"
    operation = client.get("/openapi.json").json()["paths"][path]["get"]
    assert operation["operationId"] == "fetch_agency_attachment"
    assert operation["security"] == [{"AgencyAccessToken": []}]
    assert "application/jose" in operation["responses"]["200"]["content"]
    fetch = path.format(agency_id="koeln-gewerbe", attachment_id=uuid4())
    limit = IntakeRateLimit()
    answers = [client.get(fetch).status_code for _ in range(limit.agency_burst + 1)]
    assert answers == [503] * limit.agency_burst + [429]  # the lifespan never started: no registry is read
    assert client.get("/v1/services").status_code == 200  # other reads are not counted
    assert client.post("/v1/submissions", json={}).status_code == 422  # nor are the submissions
