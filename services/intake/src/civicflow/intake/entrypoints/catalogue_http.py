"""The service catalogue over HTTP: which services can be applied for, and each one's form as JSON Schema."""

from typing import Any

from fastapi import APIRouter

from civicflow.intake.domain.catalogue import Catalogue, ServiceSpec
from civicflow.intake.entrypoints.problems import Problem

UNKNOWN = Problem(404, "not-found", "Not found", "No service with this key is in the catalogue.")


def catalogue_router(catalogue: Catalogue) -> APIRouter:
    router = APIRouter(prefix="/v1/services")

    @router.get("")
    async def services() -> dict[str, Any]:
        return {"services": [_summary(spec) for spec in catalogue.services.values()]}

    @router.get("/{service_id}")
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
