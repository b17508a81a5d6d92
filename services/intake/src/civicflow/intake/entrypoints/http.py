"""Intake's HTTP routes: thin, they parse, call one handler and answer."""

from typing import Any
from uuid import UUID

from fastapi import APIRouter, Header, Request
from fastapi.responses import JSONResponse

from civicflow.intake.domain.attachment_messages import attachment_errors
from civicflow.intake.domain.catalogue import Catalogue
from civicflow.intake.domain.idempotency import (
    IdempotencyKeyInvalid,
    IdempotencyKeyReused,
    IdempotentRequest,
    body_hash,
    checked_key,
)
from civicflow.intake.domain.messages import preferred_language
from civicflow.intake.domain.submission import SubmissionRecord, status_token_matches
from civicflow.intake.domain.validation import ValidSubmission, validate_submission
from civicflow.intake.entrypoints.bodies import read_json
from civicflow.intake.entrypoints.openapi import STATUS_LINK, SUBMIT_BODY, AcceptedBody, StatusBody, answers
from civicflow.intake.handlers import (
    AttachmentsInvalid,
    Intake,
    SubmissionNotStored,
    Submissions,
    TraceContext,
    accept_submission,
)
from civicflow.shared.problems import Problem

NOT_FOUND = Problem(404, "not-found", "Not found", "No submission with this id is visible with these credentials.")
# The status token is a bearer secret: no cache along the way may keep a response that carries it (RFC 9111 §5.2).
NO_STORE = {"Cache-Control": "no-store"}
BODY_TIMEOUT_SECONDS = 10
# An answer never grows with the input: 50,000 unknown keys are 50,000 errors, of which this many are listed.
MAX_LISTED_ERRORS = 20


def submissions_router(catalogue: Catalogue, intake: Intake, max_body_bytes: int) -> APIRouter:
    router = APIRouter(prefix="/v1/submissions")

    @router.post(
        "",
        status_code=202,
        operation_id="submit",
        response_class=JSONResponse,
        responses=_with_status_link(
            answers(202, AcceptedBody, "Stored; published soon", 400, 408, 413, 415, 422, 429, 500, 503)
        ),
        openapi_extra=SUBMIT_BODY,
    )
    async def submit(request: Request, idempotency_key: str | None = Header(default=None)) -> JSONResponse:
        idempotent_key = _idempotency_key(idempotency_key)
        payload = await read_json(request, max_body_bytes, BODY_TIMEOUT_SECONDS, "the submission")
        language = preferred_language(request.headers.get("accept-language"))
        valid = validate_submission(payload, catalogue, language)
        if not isinstance(valid, ValidSubmission):
            listed = f"; the first {MAX_LISTED_ERRORS} are listed" if len(valid) > MAX_LISTED_ERRORS else ""
            raise Problem(
                422,
                "invalid-submission",
                "Invalid submission",
                f"{len(valid)} field(s) failed validation{listed}; nothing was stored.",
                valid[:MAX_LISTED_ERRORS],
            )
        try:
            idempotent = IdempotentRequest(idempotent_key, body_hash(payload)) if idempotent_key else None
            accepted = await accept_submission(valid, intake, TraceContext.current(), idempotent)
        except AttachmentsInvalid as invalid:
            raise Problem(
                422,
                "invalid-attachments",
                "Invalid attachments",
                "The attachments named are not kept as named; nothing was stored.",
                attachment_errors(invalid.issues, valid.service.attachments, language),
            ) from invalid
        except IdempotencyKeyReused as error:
            raise Problem(
                422,
                "idempotency-key-reused",
                "Idempotency key reused",
                "This Idempotency-Key was used before with another request body; use a new key for a new request.",
            ) from error
        except SubmissionNotStored as error:
            raise Problem(
                503,
                "temporarily-unavailable",
                "Temporarily unavailable",
                "The submission could not be stored right now; nothing was kept. Please retry.",
                headers={"Retry-After": "30"},
            ) from error
        location = f"/v1/submissions/{accepted.submission_id}"
        body = {
            "submission_id": str(accepted.submission_id),
            "status": accepted.status,
            "status_token": accepted.status_token,
            "status_url": location,
        }
        return JSONResponse(body, status_code=202, headers={"Location": location, **NO_STORE})

    @router.get(
        "/{submission_id}",
        operation_id="submission_status",
        response_class=JSONResponse,
        responses=answers(200, StatusBody, "The status and its timeline", 404, 422, 500, 503),
    )
    async def status(submission_id: str, authorization: str | None = Header(default=None)) -> JSONResponse:
        record = await visible_record(submission_id, authorization, intake.submissions)
        return JSONResponse(_status_body(record), headers=NO_STORE)

    return router


def _with_status_link(responses: dict[int | str, dict[str, Any]]) -> dict[int | str, dict[str, Any]]:
    responses[202]["links"] = STATUS_LINK
    return responses


def _status_body(record: SubmissionRecord) -> dict[str, Any]:
    return {
        "submission_id": str(record.submission_id),
        "service_id": record.service_id,
        "status": record.status,
        "received_at": record.received_at.isoformat(),
        "timeline": [
            {"step": entry.step, "at": entry.at.isoformat(), **entry.detail} for entry in record.sorted_timeline()
        ],
    }


def _idempotency_key(header: str | None) -> str | None:
    if header is None:
        return None
    try:
        return checked_key(header)
    except IdempotencyKeyInvalid as error:
        raise Problem(
            400, "invalid-idempotency-key", "Invalid Idempotency-Key", "Send 1 to 255 printable ASCII characters."
        ) from error


async def visible_record(submission_id: str, authorization: str | None, submissions: Submissions) -> SubmissionRecord:
    scheme, _, token = (authorization or "").partition(" ")
    try:
        parsed_id = UUID(submission_id)
    except ValueError:
        raise NOT_FOUND from None
    record = await submissions.get(parsed_id)
    # Unknown id and wrong token answer alike, so a status link cannot be probed for.
    if record is None or scheme.lower() != "bearer" or not status_token_matches(token, record.status_token_hash):
        raise NOT_FOUND
    return record
