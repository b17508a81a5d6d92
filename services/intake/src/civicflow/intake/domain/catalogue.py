"""The service catalogue: which services can be applied for, and the fields each one's form has.

Kept as data (data/catalogue.json), keyed by the federal service key (LeiKa-Schlüssel).
"""

import json
from dataclasses import dataclass
from importlib import resources
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, EmailStr, Field, StrictBool, StrictInt, create_model

from civicflow.shared.events.common import IsoDate, plain_text

FieldType = Literal["string", "integer", "number", "boolean", "date", "email"]


class FieldSpec(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str
    type: FieldType
    required: bool = True
    max_length: int = 1000
    pattern: str | None = None
    enum: tuple[str, ...] | None = None
    minimum: float | None = None
    maximum: float | None = None

    def annotation(self) -> Any:
        if self.enum is not None:
            return Literal[self.enum]
        if self.type == "string":
            return Annotated[
                str, Field(min_length=1, max_length=self.max_length, pattern=self.pattern), AfterValidator(plain_text)
            ]
        if self.type in ("integer", "number"):
            base = StrictInt if self.type == "integer" else float
            return Annotated[base, Field(ge=self.minimum, le=self.maximum)]
        return {"boolean": StrictBool, "date": IsoDate, "email": EmailStr}[self.type]


class ServiceSpec(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    service_id: Annotated[str, Field(pattern=r"^99[0-9]{12}$")]
    name: dict[str, str]
    fields: tuple[FieldSpec, ...]

    def form_model(self) -> type[BaseModel]:
        definitions: dict[str, Any] = {
            spec.name: (
                spec.annotation() if spec.required else spec.annotation() | None,
                ... if spec.required else None,
            )
            for spec in self.fields
        }
        return create_model(f"Form{self.service_id}", __config__=ConfigDict(extra="forbid"), **definitions)


@dataclass(frozen=True)
class Catalogue:
    services: dict[str, ServiceSpec]
    forms: dict[str, type[BaseModel]]

    @classmethod
    def from_json(cls, text: str) -> "Catalogue":
        specs = [ServiceSpec.model_validate(item) for item in json.loads(text)["services"]]
        return cls(
            services={spec.service_id: spec for spec in specs},
            forms={spec.service_id: spec.form_model() for spec in specs},
        )

    @classmethod
    def bundled(cls) -> "Catalogue":
        return cls.from_json(resources.files("civicflow.intake").joinpath("data/catalogue.json").read_text("utf-8"))

    def get(self, service_id: str) -> ServiceSpec | None:
        return self.services.get(service_id)

    def form_model(self, service_id: str) -> type[BaseModel]:
        return self.forms[service_id]
