"""POST /v1/experience: a page's script reports a step of its visit (events.experience). Answered at once with 202
and no body; published in the background (civicflow.intake.experience), never holding up the citizen.

JSON only, as application/json or as text/plain: navigator.sendBeacon, which still sends while a page is being
left, sends a string body as text/plain (and a simple request needs no CORS preflight). The device is told from
the User-Agent, coarsely; the header itself goes no further."""

from typing import Annotated, Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from pydantic import UUID4, BaseModel, ConfigDict, ValidationError, WithJsonSchema

from civicflow.intake.domain.experience import UnknownService, device_of
from civicflow.intake.domain.messages import preferred_language
from civicflow.intake.domain.validation import FieldError
from civicflow.intake.entrypoints.bodies import read_body
from civicflow.intake.entrypoints.openapi import answers
from civicflow.intake.experience import Experience
from civicflow.shared.events.common import Language
from civicflow.shared.events.experience import ExperienceKind, FieldPointer, ServiceId
from civicflow.shared.problems import Problem

EXPERIENCE_PATH = "/v1/experience"
MAX_BODY_BYTES = 2 * 1024
BODY_TIMEOUT_SECONDS = 10
MEDIA_TYPES = ("application/json", "text/plain")
MAX_LISTED_ERRORS = 20
# pydantic's messages name what was expected, not what was sent, except these (a UUID's first bad character).
QUOTING = {"uuid_parsing": "Input should be a UUID (version 4)"}


class ExperienceReport(BaseModel):
    """What a page reports; intake adds the device, the time and the event id."""

    model_config = ConfigDict(frozen=True, extra="forbid", strict=True)

    # Spelled out, so that the OpenAPI document needs no shared component for it.
    kind: Annotated[ExperienceKind, WithJsonSchema({"type": "string", "enum": [kind.value for kind in ExperienceKind]})]
    service_id: ServiceId
    journey_id: Annotated[UUID4, WithJsonSchema({"type": "string", "format": "uuid"})]
    field: FieldPointer | None = None
    # Else the Accept-Language header's choice.
    language: Language | None = None


REPORT_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {"schema": ExperienceReport.model_json_schema()},
            "text/plain": {"schema": {"type": "string", "description": "the same JSON object (navigator.sendBeacon)"}},
        },
    }
}


def experience_router(experience: Experience) -> APIRouter:
    router = APIRouter()

    @router.post(
        EXPERIENCE_PATH,
        status_code=202,
        operation_id="report_experience",
        response_class=Response,
        responses=answers(202, None, "Recorded; published soon", 400, 408, 413, 415, 422, 429, 500),
        openapi_extra=REPORT_BODY,
    )
    async def report(request: Request) -> Response:
        report = _report(await read_body(request, MAX_BODY_BYTES, BODY_TIMEOUT_SECONDS), request)
        language = report.language or preferred_language(request.headers.get("accept-language"))
        device = device_of(request.headers.get("user-agent"))
        try:
            await experience.record(report.kind, report.service_id, report.journey_id, language, device, report.field)
        except UnknownService as error:
            raise _invalid([FieldError("/service_id", "No service with this key is in the catalogue.")]) from error
        except ValidationError as error:
            raise _invalid(_field_errors(error)) from error
        return Response(status_code=202)

    return router


def _report(body: bytes, request: Request) -> ExperienceReport:
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media_type not in MEDIA_TYPES:
        raise Problem(
            415,
            "unsupported-media-type",
            "Unsupported media type",
            "Send the report as application/json or text/plain.",
        )
    try:
        return ExperienceReport.model_validate_json(body)
    except ValidationError as error:
        if any(item["type"] == "json_invalid" for item in error.errors()):
            raise Problem(400, "malformed-json", "Malformed JSON", "The request body is not valid JSON.") from error
        raise _invalid(_field_errors(error)) from error


def _invalid(errors: list[FieldError]) -> Problem:
    listed = f"; the first {MAX_LISTED_ERRORS} are listed" if len(errors) > MAX_LISTED_ERRORS else ""
    detail = f"{len(errors)} field(s) failed validation{listed}; nothing was recorded."
    return Problem(422, "invalid-report", "Invalid report", detail, errors[:MAX_LISTED_ERRORS])


def _field_errors(error: ValidationError) -> list[FieldError]:
    """Field paths and what was expected, never the input."""
    return [
        FieldError(_pointer(item["loc"]), QUOTING.get(item["type"], item["msg"]))
        for item in error.errors(include_input=False, include_url=False)
    ]


def _pointer(location: tuple[Any, ...]) -> str:
    return "".join("/" + str(part).replace("~", "~0").replace("/", "~1") for part in location)
