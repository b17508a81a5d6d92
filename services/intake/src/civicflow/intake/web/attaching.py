"""Files attached on the citizen's form: those sent with this post (checked by their content, kept pending in the
store) and those kept from an earlier post of the same journey (their ids in ticked checkboxes; untick to remove)."""

from uuid import UUID

from starlette.datastructures import FormData, UploadFile

from civicflow.intake.domain.attachment_messages import refusal_message
from civicflow.intake.domain.attachments import AttachmentRefused, StoredAttachment, check_upload
from civicflow.intake.domain.catalogue import ServiceSpec
from civicflow.intake.domain.messages import Language
from civicflow.intake.domain.validation_errors import FieldError
from civicflow.intake.handlers import Attachments

FILES = "files"  # the file input
KEPT = "attachment"  # a checkbox per file kept from an earlier post
POINTER = "/attachments"


async def attached(
    form: FormData, spec: ServiceSpec, attachments: Attachments, language: Language
) -> tuple[list[StoredAttachment], list[FieldError]]:
    kept = await kept_files(form, spec, attachments)
    errors: list[FieldError] = []
    for upload in form.getlist(FILES):
        if not isinstance(upload, UploadFile) or not upload.filename:
            continue  # an empty file input
        checked = check_upload(spec.attachments, upload.filename, upload.content_type, await upload.read())
        if isinstance(checked, AttachmentRefused):
            errors.append(FieldError(POINTER, refusal_message(checked, spec.attachments, language)))
            continue
        ref = await attachments.put(spec.service_id, checked)
        stored = await attachments.find([ref.attachment_id])
        kept.extend(stored.values())
    return kept, errors


async def kept_files(form: FormData, spec: ServiceSpec, attachments: Attachments) -> list[StoredAttachment]:
    """The files this post names as kept, uploaded for this service. (One bound already is refused when submitted,
    unless the application it is bound to is this one, sent again.)"""
    ids = []
    for value in form.getlist(KEPT)[: spec.attachments.max_files or 0]:
        try:
            ids.append(UUID(str(value)))
        except ValueError:
            continue
    found = await attachments.find(ids) if ids else {}
    return [
        stored
        for attachment_id in dict.fromkeys(ids)
        if (stored := found.get(attachment_id)) is not None and stored.service_id == spec.service_id
    ]
