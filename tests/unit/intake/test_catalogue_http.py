from fastapi import FastAPI
from fastapi.testclient import TestClient

from civicflow.intake.domain.catalogue import Catalogue
from civicflow.intake.entrypoints.catalogue_http import catalogue_router
from civicflow.shared.problems import install_problem_handlers


def client() -> TestClient:
    app = FastAPI()
    install_problem_handlers(app)
    app.include_router(catalogue_router(Catalogue.bundled()))
    return TestClient(app)


def test_the_catalogue_lists_every_service_with_a_link_to_its_form() -> None:
    listed = client().get("/v1/services").json()["services"]
    assert len(listed) >= 6
    business = next(item for item in listed if item["service_id"] == "99050012104000")
    assert business["title"] == {"de": "Gewerbe anmelden", "en": "Register a business"}
    assert business["links"]["self"] == "/v1/services/99050012104000" and "form" not in business


def test_a_service_serves_its_form_as_json_schema() -> None:
    service = client().get("/v1/services/99050012104000").json()
    assert service["form"]["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert "business_name" in service["form"]["required"]
    assert service["minimum_level_of_assurance"] in {"none", "low", "substantial", "high"}


def test_an_unknown_service_is_a_404_problem() -> None:
    response = client().get("/v1/services/99000000000000")
    assert response.status_code == 404 and response.headers["content-type"] == "application/problem+json"
