"""What intake's OpenAPI document says of each answer and of the submission body: written once here, as models,
so the document describes every request body and response (tests/e2e/test_api_contract.py holds the service to it
with generated requests)."""

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from pydantic import BaseModel, ConfigDict

from civicflow.intake.domain.catalogue import Catalogue, ServiceSpec
from civicflow.intake.domain.validation import SubmissionRequest


class FieldProblem(BaseModel):
    pointer: str
    detail: str


class ProblemBody(BaseModel):
    """RFC 9457 problem details, with `errors` naming each failing field."""

    model_config = ConfigDict(extra="forbid")

    type: str
    title: str
    status: int
    detail: str
    instance: str
    errors: list[FieldProblem] | None = None


class AcceptedBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    submission_id: str
    status: str
    status_token: str
    status_url: str


class TimelineStep(BaseModel):
    model_config = ConfigDict(extra="allow")  # each step adds its own details (agency_id, reason, about, ...)

    step: str
    at: str


class StatusBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    submission_id: str
    service_id: str
    status: str
    received_at: str
    timeline: list[TimelineStep]


def answers(status: int, model: type[BaseModel], description: str, *problems: int) -> dict[int | str, dict[str, Any]]:
    """The documented responses of an operation: its answer, and the problems it may give instead."""
    documented: dict[int | str, dict[str, Any]] = {status: {"model": model, "description": description}}
    for problem in problems:
        documented[problem] = {
            "model": ProblemBody,
            "content": {"application/problem+json": {}},
            "description": "A problem (RFC 9457)",
        }
    return documented


SUBMISSION_BODY = "SubmissionRequest"


def _for_service(request: dict[str, Any], spec: ServiceSpec) -> dict[str, Any]:
    properties = request["properties"] | {
        "service_id": {"const": spec.service_id},
        "form": {key: value for key, value in spec.form.items() if key != "$schema"},
    }
    return request | {"title": spec.title.en, "properties": properties}


def install_openapi(app: FastAPI, catalogue: Catalogue) -> None:
    """The generated document, with the submission body (read and checked by intake itself, not by FastAPI): one of
    the catalogue's services, with that service's form."""

    def document() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = get_openapi(title=app.title, version="1", routes=app.routes)
            request = SubmissionRequest.model_json_schema(ref_template="#/components/schemas/{model}")
            components = schema.setdefault("components", {}).setdefault("schemas", {})
            components.update(request.pop("$defs", {}))
            components[SUBMISSION_BODY] = {
                "oneOf": [_for_service(request, spec) for spec in catalogue.services.values()],
            }
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = document  # type: ignore[method-assign]


SUBMIT_BODY = {
    "requestBody": {
        "required": True,
        "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{SUBMISSION_BODY}"}}},
    }
}
