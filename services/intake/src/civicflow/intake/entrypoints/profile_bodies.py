"""What the profile's routes (entrypoints.profile_http) take and answer, as the OpenAPI document describes them,
and the failing fields of a contact preferences body, named without quoting the input."""

from typing import Literal

from pydantic import BaseModel, ConfigDict, RootModel, ValidationError

from civicflow.intake.domain.messages import Language, message
from civicflow.intake.domain.validation_errors import FieldError
from civicflow.shared.events import ContactPreferences


class ProfileValueBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str  # the form's input name, or contact.language / contact.channel
    value: str  # as the form's input takes it (a date as DD.MM.YYYY)
    verified: bool
    source: Literal["identity_provider", "application", "profile"]
    source_name: str
    at: str


class ProfileBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    values: list[ProfileValueBody]
    contact: ContactPreferences


class PrefillList(RootModel[list[ProfileValueBody]]):
    pass


class OwnSubmissionBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    submission_id: str
    service_id: str
    received_at: str
    status: str


class SubmissionList(RootModel[list[OwnSubmissionBody]]):
    pass


CONTACT_BODY = {
    "requestBody": {
        "required": True,
        "content": {"application/json": {"schema": ContactPreferences.model_json_schema()}},
    }
}

# pydantic's error types, as the kinds of failure a citizen is told about (domain.messages.GENERIC).
_KINDS = {
    "missing": "required",
    "extra_forbidden": "additionalProperties",
    "literal_error": "enum",
    "string_pattern_mismatch": "pattern",
    "string_type": "type",
    "dict_type": "type",
    "model_type": "type",
}


def contact_errors(error: ValidationError, language: Language) -> list[FieldError]:
    found = []
    for item in error.errors(include_input=False, include_url=False):
        path = [str(part) for part in item["loc"]]
        kind = _KINDS.get(item["type"], "invalid")
        if kind == "invalid" and path[-1:] == ["email"]:
            kind = "email"
        pointer = "".join("/" + part.replace("~", "~0").replace("/", "~1") for part in path)
        found.append(FieldError(pointer, message(kind, language)))
    return found
