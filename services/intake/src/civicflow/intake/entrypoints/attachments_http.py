"""Attachments over HTTP: one file per request, as multipart/form-data (RFC 7578) with a `file` part and the
`service_id` it is for. It is checked by its content (domain.attachments) and stored pending; the answer is the
reference by which a submission then names it."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Protocol

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict
from starlette.datastructures import FormData, UploadFile

from civicflow.intake.domain.attachment_messages import refusal_message
from civicflow.intake.domain.attachments import AttachmentRefused, CheckedUpload, check_upload
from civicflow.intake.domain.catalogue import Catalogue, ServiceSpec
from civicflow.intake.domain.messages import Language, message, preferred_language
from civicflow.intake.domain.validation import FieldError
from civicflow.intake.entrypoints.bodies import media_type, read_form
from civicflow.intake.entrypoints.openapi import ATTACHMENT_BODY, answers
from civicflow.shared.events import AttachmentRef
from civicflow.shared.problems import Problem

# 5 MiB within a minute is about 700 kbit/s: a slow mobile line passes, a client that trickles its body does not.
UPLOAD_TIMEOUT_SECONDS = 60
# Around the file: the boundaries, each part's headers and the service_id field.
MULTIPART_OVERHEAD = 16 * 1024
MAX_FIELD_BYTES = 1024
NO_STORE = {"Cache-Control": "no-store"}


class Uploads(Protocol):
    async def put(self, service_id: str, upload: CheckedUpload) -> AttachmentRef:
        """Keep the file, pending until a submission binds it."""


class AttachmentBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    attachment_id: str
    sha256: str
    media_type: str
    size: int


def attachments_router(catalogue: Catalogue, attachments: Uploads) -> APIRouter:
    router = APIRouter(prefix="/v1/attachments")
    # The service is named inside the body: until it is read, the body may be as large as any service allows.
    largest = max((spec.attachments.max_bytes_each for spec in catalogue.services.values()), default=0)
    limit = largest + MULTIPART_OVERHEAD

    @router.post(
        "",
        status_code=201,
        operation_id="upload_attachment",
        response_class=JSONResponse,
        responses=answers(201, AttachmentBody, "Stored; pending until a submission names it", *PROBLEMS),
        openapi_extra=ATTACHMENT_BODY,
    )
    async def upload(request: Request) -> JSONResponse:
        language = preferred_language(request.headers.get("accept-language"))
        async with _form(request, limit) as form:
            spec = _service(catalogue, form.get("service_id"), language)
            file = form.get("file")
            if not isinstance(file, UploadFile):
                raise _refused("/file", message("required", language))
            checked = check_upload(spec.attachments, file.filename, file.content_type, await file.read())
        if isinstance(checked, AttachmentRefused):
            raise _refused("/file", refusal_message(checked, spec.attachments, language))
        ref = await attachments.put(spec.service_id, checked)
        return JSONResponse(ref.model_dump(mode="json"), status_code=201, headers=NO_STORE)

    return router


PROBLEMS = (400, 408, 413, 415, 422, 429, 500, 503)


@asynccontextmanager
async def _form(request: Request, limit: int) -> AsyncIterator[FormData]:
    if media_type(request) != "multipart/form-data":
        raise Problem(415, "unsupported-media-type", "Unsupported media type", "Send the file as multipart/form-data.")
    form = await read_form(
        request, limit, UPLOAD_TIMEOUT_SECONDS, max_files=1, max_fields=4, max_part_size=MAX_FIELD_BYTES
    )
    try:
        yield form
    finally:
        await form.close()


def _service(catalogue: Catalogue, service_id: object, language: Language) -> ServiceSpec:
    if not isinstance(service_id, str) or not service_id:
        raise _refused("/service_id", message("required", language))
    spec = catalogue.get(service_id)
    if spec is None:
        raise _refused("/service_id", message("unknown_service", language))
    return spec


def _refused(pointer: str, detail: str) -> Problem:
    return Problem(
        422, "attachment-refused", "Attachment refused", "The file was not stored.", [FieldError(pointer, detail)]
    )
