"""Intake's HTTP routes: thin, they parse, call one handler and answer."""

import json
from typing import Any
from uuid import UUID

from fastapi import APIRouter, Header, Request
from fastapi.responses import JSONResponse
from opentelemetry import propagate, trace

from civicflow.intake.domain.catalogue import Catalogue
from civicflow.intake.domain.submission import SubmissionRecord, status_token_matches
from civicflow.intake.domain.validation import ValidSubmission, validate_submission
from civicflow.intake.entrypoints.problems import Problem
from civicflow.intake.handlers import Relay, SubmissionNotStored, Submissions, TraceContext, accept_submission
from civicflow.shared.security.sealing import Sealer

NOT_FOUND = Problem(404, "not-found", "Not found", "No submission with this id is visible with these credentials.")


def submissions_router(
    catalogue: Catalogue, submissions: Submissions, relay: Relay, sealer: Sealer, max_body_bytes: int
) -> APIRouter:
    router = APIRouter(prefix="/v1/submissions")

    @router.post("", status_code=202)
    async def submit(request: Request) -> JSONResponse:
        payload = _json_payload(await _read_body(request, max_body_bytes), request)
        valid = validate_submission(payload, catalogue)
        if not isinstance(valid, ValidSubmission):
            raise Problem(
                422,
                "invalid-submission",
                "Invalid submission",
                f"{len(valid)} field(s) failed validation; nothing was stored.",
                valid,
            )
        try:
            accepted = await accept_submission(valid, submissions, relay, sealer, _current_trace())
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
        return JSONResponse(body, status_code=202, headers={"Location": location})

    @router.get("/{submission_id}")
    async def status(submission_id: str, authorization: str | None = Header(default=None)) -> dict[str, Any]:
        record = await _visible_record(submission_id, authorization, submissions)
        return {
            "submission_id": str(record.submission_id),
            "service_id": record.service_id,
            "status": record.status,
            "received_at": record.received_at.isoformat(),
            "timeline": [
                {"step": entry.step, "at": entry.at.isoformat(), **entry.detail} for entry in record.sorted_timeline()
            ],
        }

    return router


async def _read_body(request: Request, limit: int) -> bytes:
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise _too_large(limit)
    body = bytearray()
    async for chunk in request.stream():
        body.extend(chunk)
        if len(body) > limit:
            raise _too_large(limit)
    return bytes(body)


def _too_large(limit: int) -> Problem:
    return Problem(413, "payload-too-large", "Payload too large", f"The request body exceeds {limit} bytes.")


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
        return json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise Problem(
            400, "malformed-json", "Malformed JSON", f"The request body is not valid JSON: {error}."
        ) from error


async def _visible_record(submission_id: str, authorization: str | None, submissions: Submissions) -> SubmissionRecord:
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
