"""Checking a submitted application: the envelope, the applicant, and the form of the chosen service.

Every failing field is reported at once, named by a JSON Pointer (RFC 6901) into the request body.
"""

from dataclasses import dataclass
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from civicflow.intake.domain.catalogue import Catalogue, ServiceSpec
from civicflow.shared.events import Applicant


class SubmissionRequest(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    service_id: Annotated[str, Field(min_length=1, max_length=64)]
    identity_token: Annotated[str, Field(min_length=1, max_length=16384, repr=False)]
    applicant: Applicant
    form: dict[str, Any]


@dataclass(frozen=True)
class FieldError:
    pointer: str
    detail: str


@dataclass(frozen=True)
class ValidSubmission:
    request: SubmissionRequest
    service: ServiceSpec
    form: dict[str, Any]


def validate_submission(payload: object, catalogue: Catalogue) -> ValidSubmission | list[FieldError]:
    errors: list[FieldError] = []
    request: SubmissionRequest | None = None
    try:
        request = SubmissionRequest.model_validate(payload)
    except ValidationError as error:
        errors.extend(_field_errors(error, prefix=()))

    service_id = payload.get("service_id") if isinstance(payload, dict) else None
    service = catalogue.get(service_id) if isinstance(service_id, str) else None
    if isinstance(service_id, str) and service is None:
        errors.append(FieldError("/service_id", "unknown service: not in the service catalogue"))

    form: dict[str, Any] | None = None
    raw_form = payload.get("form") if isinstance(payload, dict) else None
    if service is not None and isinstance(raw_form, dict):
        try:
            form = (
                catalogue.form_model(service.service_id)
                .model_validate(raw_form)
                .model_dump(mode="json", exclude_none=True)
            )
        except ValidationError as error:
            errors.extend(_field_errors(error, prefix=("form",)))

    if errors or request is None or service is None or form is None:
        return errors
    return ValidSubmission(request=request, service=service, form=form)


def _field_errors(error: ValidationError, prefix: tuple[str, ...]) -> list[FieldError]:
    found = []
    for item in error.errors(include_input=False, include_url=False):
        path = prefix + tuple(str(part) for part in item["loc"])
        found.append(FieldError(_pointer(path), item["msg"]))
    return found


def _pointer(path: tuple[str, ...]) -> str:
    return "".join("/" + part.replace("~", "~0").replace("/", "~1") for part in path)
