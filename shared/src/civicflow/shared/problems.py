"""RFC 9457 problem details (application/problem+json) for every error a service's HTTP API answers with: the
service's own problems, the framework's (404, 405, a request it cannot read), and the unexpected, never a bare 500
and never an error's text (it may quote the input)."""

from collections.abc import Sequence
from typing import Any, Protocol

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pymongo.errors import PyMongoError
from starlette.exceptions import HTTPException

from civicflow.shared.messaging.failures import Disposition, classify

PROBLEM_JSON = "application/problem+json"
# The request path, as `instance`: a client chooses it, so it is cut short rather than echoed whole.
MAX_INSTANCE = 200


class InvalidField(Protocol):
    """One failing field or parameter: a JSON Pointer (RFC 6901) to it, and what is wrong, never quoting it."""

    @property
    def pointer(self) -> str: ...

    @property
    def detail(self) -> str: ...


class Problem(Exception):
    def __init__(
        self,
        status: int,
        slug: str,
        title: str,
        detail: str,
        errors: Sequence[InvalidField] = (),
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(title)
        self.status, self.slug, self.title, self.detail = status, slug, title, detail
        self.errors = list(errors)
        self.headers = headers or {}

    def response(self, instance: str) -> JSONResponse:
        body: dict[str, Any] = {
            "type": f"/problems/{self.slug}",
            "title": self.title,
            "status": self.status,
            "detail": self.detail,
            "instance": instance[:MAX_INSTANCE],
        }
        if self.errors:
            # The "errors" extension member with a JSON Pointer per failing field, as in RFC 9457 §3.
            body["errors"] = [{"pointer": error.pointer, "detail": error.detail} for error in self.errors]
        return JSONResponse(body, status_code=self.status, media_type=PROBLEM_JSON, headers=self.headers)


class _Pointed:
    def __init__(self, pointer: str, detail: str) -> None:
        self.pointer, self.detail = pointer, detail


# What a request the framework could not read is answered with, by the kind of its input: 422 for a body (the
# API's contract), 400 for query parameters.
INVALID_BODY = (422, "invalid-request", "Invalid request", "The request is not valid.")
INVALID_PARAMETERS = (400, "invalid-parameter", "Invalid parameter", "A parameter is not valid.")


def bad_parameter(pointer: str, detail: str) -> Problem:
    status, slug, title, _ = INVALID_PARAMETERS
    return Problem(status, slug, title, detail, [_Pointed(pointer, detail)])


def install_problem_handlers(app: FastAPI, invalid: tuple[int, str, str, str] = INVALID_BODY) -> None:
    async def on_problem(request: Request, problem: Exception) -> JSONResponse:
        assert isinstance(problem, Problem)
        return problem.response(request.url.path)

    async def on_http_error(request: Request, error: Exception) -> JSONResponse:
        assert isinstance(error, HTTPException)
        slug = {404: "not-found", 405: "method-not-allowed"}.get(error.status_code, "http-error")
        return Problem(error.status_code, slug, str(error.detail), str(error.detail)).response(request.url.path)

    async def on_request_invalid(request: Request, error: Exception) -> JSONResponse:
        assert isinstance(error, RequestValidationError)
        errors = [_Pointed("/" + "/".join(str(part) for part in item["loc"]), item["msg"]) for item in error.errors()]
        return Problem(*invalid, errors).response(request.url.path)

    async def on_unexpected(request: Request, error: Exception) -> JSONResponse:
        # A store error on a request that was checked before it reached the store is the store's, not the input's.
        if isinstance(error, PyMongoError) or classify(error) is Disposition.UNAVAILABLE:
            problem = Problem(
                503,
                "temporarily-unavailable",
                "Temporarily unavailable",
                "The service cannot reach its store right now. Please retry.",
                headers={"Retry-After": "30"},
            )
        else:
            problem = Problem(500, "internal-error", "Internal error", "The request could not be completed.")
        return problem.response(request.url.path)

    app.add_exception_handler(Problem, on_problem)
    app.add_exception_handler(Exception, on_unexpected)
    app.add_exception_handler(HTTPException, on_http_error)
    app.add_exception_handler(RequestValidationError, on_request_invalid)
