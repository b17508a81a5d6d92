"""Checking a submitted application: the envelope, the applicant, and the form of the chosen service (against the
JSON Schema of its catalogue entry).

Every failing field is reported at once, named by a JSON Pointer (RFC 6901) into the request body, with a message
in the citizen's language that never quotes the input."""

from dataclasses import dataclass
from typing import Annotated, Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError as SchemaError
from pydantic import BaseModel, ConfigDict, Field, StrictBool, StringConstraints, ValidationError

from civicflow.intake.domain.attachment_list import check_refs
from civicflow.intake.domain.attachment_messages import attachment_errors
from civicflow.intake.domain.catalogue import Catalogue, ServiceSpec
from civicflow.intake.domain.messages import DEFAULT_LANGUAGE, Language, message
from civicflow.intake.domain.validation_errors import FieldError as FieldError
from civicflow.shared.events import Applicant, AttachmentRef, ChannelChoice
from civicflow.shared.events.common import plain_text


class SubmissionRequest(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    service_id: Annotated[str, Field(min_length=1, max_length=64)]
    # Needed unless the service asks for no identity (its minimum level of assurance is "none").
    identity_token: Annotated[str, StringConstraints(min_length=1, max_length=16384)] | None = Field(
        default=None, repr=False
    )
    applicant: Applicant
    form: dict[str, Any]
    # As POST /v1/attachments answered for each file (id, hash, type, size); checked against the stored files.
    attachments: Annotated[tuple[AttachmentRef, ...], Field(max_length=20)] = ()
    # The citizen's consent to keep what identity verifies, the address and the e-mail as their once-only profile
    # (events.profile); identity keeps it only for a verified applicant. Consent is a JSON true, nothing like it.
    keep_profile: StrictBool = False
    # How the citizen wants to hear about this application, if not by e-mail (notify's channels).
    notify_by: ChannelChoice | None = None


@dataclass(frozen=True)
class ValidSubmission:
    request: SubmissionRequest
    service: ServiceSpec
    form: dict[str, Any]


def validate_submission(
    payload: object, catalogue: Catalogue, language: Language = DEFAULT_LANGUAGE
) -> ValidSubmission | list[FieldError]:
    errors: list[FieldError] = []
    request: SubmissionRequest | None = None
    try:
        request = SubmissionRequest.model_validate(payload)
    except ValidationError as error:
        errors.extend(_model_errors(error, language))

    service_id = payload.get("service_id") if isinstance(payload, dict) else None
    service = catalogue.get(service_id) if isinstance(service_id, str) else None
    if isinstance(service_id, str) and service is None:
        errors.append(FieldError("/service_id", message("unknown_service", language)))
    if service is not None and service.minimum_level_of_assurance != "none" and _without_token(payload):
        errors.append(FieldError("/identity_token", message("identity_needed", language)))

    form: dict[str, Any] | None = None
    raw_form = payload.get("form") if isinstance(payload, dict) else None
    if service is not None and isinstance(raw_form, dict):
        form_errors = _form_errors(service, catalogue.validator(service.service_id), raw_form, language)
        errors.extend(form_errors)
        form = None if form_errors else _normalised(raw_form)

    if request is not None and service is not None:
        rules = service.attachments
        errors.extend(attachment_errors(check_refs(rules, request.attachments), rules, language))
    if errors or request is None or service is None or form is None:
        return errors
    return ValidSubmission(request=request, service=service, form=form)


def _without_token(payload: object) -> bool:
    return isinstance(payload, dict) and payload.get("identity_token") is None


def _form_errors(
    service: ServiceSpec, validator: Draft202012Validator, form: dict[str, Any], language: Language
) -> list[FieldError]:
    """One error per failing field (forms are flat: catalogue.FIELD_TYPES), the first found for it."""
    properties: dict[str, Any] = service.form.get("properties", {})
    found: dict[str, FieldError] = {}

    def add(name: str, kind: str) -> None:
        found.setdefault(name, FieldError(_pointer(("form", name)), message(kind, language, properties.get(name))))

    for name in service.form.get("required", []):
        if name not in form:
            add(name, "required")
    for name in form:
        if name not in properties:
            add(name, "additionalProperties")
    for error in validator.iter_errors(form):
        path = [str(part) for part in error.absolute_path]
        if path and error.validator not in ("required", "additionalProperties"):
            add(path[0], _kind(error))
    for name, value in form.items():
        if isinstance(value, str) and name not in found and not _plain(value):
            add(name, "text")
    return sorted(found.values(), key=lambda error: error.pointer)


def _kind(error: SchemaError) -> str:
    if error.validator == "format":
        return str(error.validator_value) if error.validator_value in ("date", "email") else "format"
    return str(error.validator)


def _plain(value: str) -> bool:
    try:
        plain_text(value)
    except ValueError:
        return False
    return True


def _normalised(form: dict[str, Any]) -> dict[str, Any]:
    return {name: plain_text(value) if isinstance(value, str) else value for name, value in form.items()}


# pydantic's error types, as the kinds of failure a citizen is told about (messages.GENERIC).
_KINDS = {
    "missing": "required",
    "extra_forbidden": "additionalProperties",
    "string_too_long": "maxLength",
    "string_too_short": "minLength",
    "string_pattern_mismatch": "pattern",
    "literal_error": "enum",
    "string_type": "type",
    "dict_type": "type",
    "model_type": "type",
    "bool_type": "type",
}


def _model_errors(error: ValidationError, language: Language) -> list[FieldError]:
    found = []
    for item in error.errors(include_input=False, include_url=False):
        path = tuple(str(part) for part in item["loc"])
        kind = _KINDS.get(item["type"], "invalid")
        if kind == "invalid" and path[-1:] in (("birth_date",), ("email",)):
            kind = path[-1]
        elif kind == "pattern" and path[-1:] == ("postal_code",):
            kind = "postal_code"
        elif kind == "invalid" and item["type"] == "value_error":
            kind = "text"
        found.append(FieldError(_pointer(path), message(kind, language)))
    return found


def _pointer(path: tuple[str, ...]) -> str:
    return "".join("/" + part.replace("~", "~0").replace("/", "~1") for part in path)
