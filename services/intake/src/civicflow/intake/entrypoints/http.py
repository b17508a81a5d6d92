"""Intake's HTTP routes: thin, they parse, call one handler and answer."""

import json
from typing import Any
from uuid import UUID

from fastapi import APIRouter, Header, Request
from fastapi.responses import JSONResponse
from opentelemetry import propagate, trace

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
from civicflow.intake.entrypoints.bodies import read_body
from civicflow.intake.entrypoints.openapi import STATUS_LINK, SUBMIT_BODY, AcceptedBody, StatusBody, answers
from civicflow.intake.entrypoints.problems import Problem
from civicflow.intake.handlers import (
    AttachmentsInvalid,
    Intake,
    SubmissionNotStored,
    Submissions,
    TraceContext,
    accept_submission,
)

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
        payload = _json_payload(await read_body(request, max_body_bytes, BODY_TIMEOUT_SECONDS), request)
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
            accepted = await accept_submission(valid, intake, _current_trace(), idempotent)
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


def _json_payload(body: bytes, request: Request) -> Any:
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media_type != "application/json" and not media_type.endswith("+json"):
        raise Problem(
            415,
            "unsupported-media-type",
            "Unsupported media type",
            "Send the submission as application/json.",
        )
    try:
        payload = json.loads(body, parse_int=_bounded_int, parse_float=_bounded_float, parse_constant=_no_constant)
    except RecursionError as error:
        raise _too_deep() from error
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise Problem(
            400, "malformed-json", "Malformed JSON", f"The request body is not valid JSON (at byte {_position(error)})."
        ) from error
    except ValueError as error:  # a number beyond our bounds (_bounded_int, _bounded_float, _no_constant)
        raise Problem(400, "malformed-json", "Malformed JSON", str(error)) from error
    if _depth(payload) > MAX_DEPTH:
        raise _too_deep()
    return payload


# No form needs more: a submission is an object of objects a few levels deep, numbers of a few digits.
MAX_DEPTH = 16
MAX_NUMBER_CHARACTERS = 32


def _bounded_int(text: str) -> int:
    if len(text) > MAX_NUMBER_CHARACTERS:
        raise ValueError(f"A number in the request body has more than {MAX_NUMBER_CHARACTERS} digits.")
    return int(text)


def _bounded_float(text: str) -> float:
    if len(text) > MAX_NUMBER_CHARACTERS:
        raise ValueError(f"A number in the request body has more than {MAX_NUMBER_CHARACTERS} characters.")
    value = float(text)
    if value in (float("inf"), float("-inf")):
        raise ValueError("A number in the request body is too large.")
    return value


def _no_constant(name: str) -> None:
    raise ValueError("NaN and Infinity are not JSON numbers.")


def _depth(value: Any) -> int:
    """How deeply `value` nests, counted without recursion (so that no input can exhaust the stack)."""
    deepest, pending = 0, [(value, 1)]
    while pending:
        item, level = pending.pop()
        deepest = max(deepest, level)
        if level <= MAX_DEPTH and isinstance(item, dict | list):
            children = item.values() if isinstance(item, dict) else item
            pending.extend((child, level + 1) for child in children if isinstance(child, dict | list))
    return deepest


def _too_deep() -> Problem:
    return Problem(400, "malformed-json", "Malformed JSON", f"The request body nests deeper than {MAX_DEPTH} levels.")


def _position(error: Exception) -> int:
    return error.pos if isinstance(error, json.JSONDecodeError) else 0


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


def _current_trace() -> TraceContext:
    context = trace.get_current_span().get_span_context()
    headers: dict[str, str] = {}
    propagate.inject(headers)
    return TraceContext(format(context.trace_id, "032x") if context.is_valid else None, headers)
