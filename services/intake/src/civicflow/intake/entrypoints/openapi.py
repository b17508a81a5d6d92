"""What intake's OpenAPI document says of each answer and of the submission body: written once here, as models,
so the document describes every request body and response (tests/e2e/test_api_contract.py holds the service to it
with generated requests)."""

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from pydantic import BaseModel, ConfigDict

from civicflow.intake.domain.catalogue import Catalogue, ServiceSpec
from civicflow.intake.domain.validation import SubmissionRequest
from civicflow.shared.events.agency import Letter
from civicflow.shared.events.routing import MunicipalityKey


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


class ClarificationBody(BaseModel):
    """The citizen's answer: one of the municipalities the status timeline's clarification_needed step offers."""

    model_config = ConfigDict(extra="forbid")

    municipality_key: MunicipalityKey


class InformationBody(BaseModel):
    """The citizen's answer to the agency's request for information (the status timeline's decided step with the
    outcome information_requested): lines of plain text, no markup."""

    model_config = ConfigDict(extra="forbid")

    answer: Letter


def answers(
    status: int, model: type[BaseModel] | None, description: str, *problems: int
) -> dict[int | str, dict[str, Any]]:
    """The documented responses of an operation: its answer (without a body if `model` is None), and the problems it
    may give instead."""
    documented: dict[int | str, dict[str, Any]] = {status: {"description": description}}
    if model is not None:
        documented[status]["model"] = model
    for problem in problems:
        documented[problem] = {
            "model": ProblemBody,
            "content": {"application/problem+json": {}},
            "description": "A problem (RFC 9457)",
        }
    return documented


def agency_attachment_answers(sha256_header: str) -> dict[int | str, dict[str, Any]]:
    """GET wire.ATTACHMENT_PATH: the file as a JWE (a string, application/jose) with its SHA-256 in a header, and
    the bearer challenge (RFC 6750 §3) with a 401."""
    documented = answers(200, None, "The file, as a JWE to the agency's encryption key", 401, 404, 409, 429, 500, 503)
    documented[200]["content"] = {"application/jose": {"schema": {"type": "string"}}}
    documented[200]["headers"] = {
        sha256_header: {
            "description": "The SHA-256 of the file (of the decrypted content), as its attachment reference names it",
            "schema": {"type": "string", "pattern": "^[0-9a-f]{64}$"},
        },
        "Cache-Control": {"schema": {"type": "string", "const": "no-store"}},
    }
    documented[401]["headers"] = {
        "WWW-Authenticate": {
            "description": 'Bearer, with error="invalid_token" when a token was sent',
            "schema": {"type": "string"},
            "required": True,
        }
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


# From the 202 to the status it announces (OpenAPI 3.1 §4.8.20): a client, or schemathesis's stateful tests, can
# follow the link without knowing our URL layout or how the token is presented.
STATUS_LINK = {
    "status": {
        "operationId": "submission_status",
        "parameters": {
            "path.submission_id": "$response.body#/submission_id",
            "header.authorization": "Bearer {$response.body#/status_token}",
        },
        "description": "The submission's status and timeline, with the status token as a bearer token.",
    }
}

SUBMIT_BODY = {
    "requestBody": {
        "required": True,
        "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{SUBMISSION_BODY}"}}},
    }
}

# One file per request, with the service it is for (RFC 7578); the file is checked by its content, whatever its
# part's Content-Type says (intake refuses a file whose name or declared type says another type than its content).
ATTACHMENT_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["service_id", "file"],
                    "properties": {
                        "service_id": {"type": "string", "pattern": "^99[0-9]{12}$"},
                        "file": {"type": "string", "format": "binary", "description": "A PDF, PNG or JPEG file"},
                    },
                },
                "encoding": {"file": {"contentType": "application/pdf, image/png, image/jpeg"}},
            }
        },
    }
}

CLARIFICATION_BODY = {
    "requestBody": {
        "required": True,
        "content": {"application/json": {"schema": ClarificationBody.model_json_schema()}},
    }
}

INFORMATION_BODY = {
    "requestBody": {
        "required": True,
        "content": {"application/json": {"schema": InformationBody.model_json_schema()}},
    }
}
