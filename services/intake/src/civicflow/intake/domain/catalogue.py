"""The service catalogue: which services can be applied for, what each one's form asks, in German and English.

Kept as data, one file per service (data/services/<LeiKa key>.json; README, "Adding a service"): its title and
description, the administrative level responsible, the level of assurance it needs, its attachment rules, and
its form as a JSON Schema 2020-12 whose properties carry their labels, hints and messages (`x-label`, `x-hint`,
`x-messages`, `x-options`)."""

import json
from dataclasses import dataclass
from importlib import resources
from importlib.resources.abc import Traversable
from typing import Annotated, Any, Literal

from jsonschema import Draft202012Validator, FormatChecker
from pydantic import BaseModel, ConfigDict, Field, field_validator

from civicflow.shared.events.common import APPLICANT_ATTRIBUTES, ApplicantAttribute
from civicflow.shared.events.identity import AssuranceLevel

Language = Literal["de", "en"]
LANGUAGES: tuple[Language, ...] = ("de", "en")
MediaType = Literal["application/pdf", "image/png", "image/jpeg"]
# A form is one level of named fields of these types (validation names each failing field by one pointer).
FIELD_TYPES = frozenset({"string", "integer", "number", "boolean"})


class LocalText(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    de: Annotated[str, Field(min_length=1)]
    en: Annotated[str, Field(min_length=1)]

    def in_(self, language: Language) -> str:
        return self.de if language == "de" else self.en


class AttachmentRules(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    max_files: Annotated[int, Field(ge=0, le=20)] = 0
    accepted: tuple[MediaType, ...] = ()
    max_bytes_each: Annotated[int, Field(ge=0, le=20 * 1024 * 1024)] = 0
    required: bool = False
    label: LocalText | None = None


class ServiceSpec(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    service_id: Annotated[str, Field(pattern=r"^99[0-9]{12}$")]
    title: LocalText
    description: LocalText
    administrative_level: Literal["municipality", "district", "state", "federal"]
    minimum_level_of_assurance: AssuranceLevel
    # What the agency is given of the applicant, no more (data minimisation): the names always, the rest as the
    # service needs them.
    agency_needs: tuple[ApplicantAttribute, ...] = APPLICANT_ATTRIBUTES
    attachments: AttachmentRules = AttachmentRules()
    form: dict[str, Any]

    @field_validator("agency_needs")
    @classmethod
    def _named(cls, needs: tuple[ApplicantAttribute, ...]) -> tuple[ApplicantAttribute, ...]:
        if not {"given_name", "family_name"} <= set(needs):
            raise ValueError("an agency is always given the applicant's names")
        return needs

    def field(self, name: str) -> dict[str, Any]:
        """The schema of one form field, or an empty one."""
        found: dict[str, Any] = self.form.get("properties", {}).get(name, {})
        return found


@dataclass(frozen=True)
class Catalogue:
    services: dict[str, ServiceSpec]
    validators: dict[str, Draft202012Validator]

    @classmethod
    def from_specs(cls, specs: list[ServiceSpec]) -> "Catalogue":
        for spec in specs:
            Draft202012Validator.check_schema(spec.form)  # a broken form fails at start, not at a citizen
            flat = spec.form.get("type") == "object" and spec.form.get("additionalProperties") is False
            fields = spec.form.get("properties", {}).values()
            if not flat or any(field.get("type") not in FIELD_TYPES or "x-label" not in field for field in fields):
                raise ValueError(f"{spec.service_id}: a form is a closed object of labelled scalar fields")
        return cls(
            services={spec.service_id: spec for spec in specs},
            validators={
                spec.service_id: Draft202012Validator(spec.form, format_checker=FormatChecker()) for spec in specs
            },
        )

    @classmethod
    def from_directory(cls, directory: Traversable) -> "Catalogue":
        files = sorted((item for item in directory.iterdir() if item.name.endswith(".json")), key=lambda f: f.name)
        specs = [ServiceSpec.model_validate(json.loads(item.read_text("utf-8"))) for item in files]
        for item, spec in zip(files, specs, strict=True):
            if item.name != f"{spec.service_id}.json":
                raise ValueError(f"{item.name} holds service {spec.service_id}: name the file after its key")
        return cls.from_specs(specs)

    @classmethod
    def bundled(cls) -> "Catalogue":
        return cls.from_directory(resources.files("civicflow.intake").joinpath("data/services"))

    def get(self, service_id: str) -> ServiceSpec | None:
        return self.services.get(service_id)

    def validator(self, service_id: str) -> Draft202012Validator:
        return self.validators[service_id]
