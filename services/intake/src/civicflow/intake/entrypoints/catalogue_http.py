"""The service catalogue over HTTP: which services can be applied for, and each one's form as JSON Schema."""

from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict

from civicflow.intake.domain.catalogue import Catalogue, LocalText, ServiceSpec
from civicflow.intake.entrypoints.openapi import answers
from civicflow.shared.events.common import ApplicantAttribute
from civicflow.shared.problems import Problem


class ServiceSummary(BaseModel):
    model_config = ConfigDict(extra="forbid")

    service_id: str
    title: LocalText
    description: LocalText
    administrative_level: str
    minimum_level_of_assurance: str
    # What the agency is given of the applicant (the rest stays with CivicFlow): said before anyone applies.
    agency_needs: list[ApplicantAttribute]
    links: dict[str, str]


class ServiceList(BaseModel):
    services: list[ServiceSummary]


UNKNOWN = Problem(404, "not-found", "Not found", "No service with this key is in the catalogue.")


def catalogue_router(catalogue: Catalogue) -> APIRouter:
    router = APIRouter(prefix="/v1/services")

    @router.get("", operation_id="services", responses=answers(200, ServiceList, "The catalogue", 500))
    async def services() -> dict[str, Any]:
        return {"services": [_summary(spec) for spec in catalogue.services.values()]}

    @router.get(
        "/{service_id}", operation_id="service", responses=answers(200, ServiceSpec, "One service", 404, 422, 500)
    )
    async def service(service_id: str) -> dict[str, Any]:
        spec = catalogue.get(service_id)
        if spec is None:
            raise UNKNOWN
        return spec.model_dump(mode="json")

    return router


def _summary(spec: ServiceSpec) -> dict[str, Any]:
    summary = spec.model_dump(mode="json", exclude={"form", "attachments"})
    summary["links"] = {"self": f"/v1/services/{spec.service_id}"}
    return summary
