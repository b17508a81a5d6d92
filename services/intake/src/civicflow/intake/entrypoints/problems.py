"""RFC 9457 problem details (application/problem+json) for every error intake answers with."""

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pymongo.errors import PyMongoError
from starlette.exceptions import HTTPException

from civicflow.intake.domain.validation import FieldError
from civicflow.shared.messaging.failures import Disposition, classify

PROBLEM_JSON = "application/problem+json"
# The request path, as `instance`: a client chooses it, so it is cut short rather than echoed whole.
MAX_INSTANCE = 200


class Problem(Exception):
    def __init__(
        self,
        status: int,
        slug: str,
        title: str,
        detail: str,
        errors: list[FieldError] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(title)
        self.status, self.slug, self.title, self.detail = status, slug, title, detail
        self.errors = errors or []
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


def install_problem_handlers(app: FastAPI) -> None:
    async def on_problem(request: Request, problem: Exception) -> JSONResponse:
        assert isinstance(problem, Problem)
        return problem.response(request.url.path)

    async def on_http_error(request: Request, error: Exception) -> JSONResponse:
        assert isinstance(error, HTTPException)
        slug = {404: "not-found", 405: "method-not-allowed"}.get(error.status_code, "http-error")
        return Problem(error.status_code, slug, str(error.detail), str(error.detail)).response(request.url.path)

    async def on_request_invalid(request: Request, error: Exception) -> JSONResponse:
        assert isinstance(error, RequestValidationError)
        errors = [FieldError("/" + "/".join(str(part) for part in item["loc"]), item["msg"]) for item in error.errors()]
        problem = Problem(422, "invalid-request", "Invalid request", "The request is not valid.", errors)
        return problem.response(request.url.path)

    async def on_unexpected(request: Request, error: Exception) -> JSONResponse:
        # Never a bare 500, and never the error's text (it may quote the input).
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


# The citizen's answer (to routing's question, to the agency's request) could not be passed on now.
ANSWER_NOT_TAKEN = Problem(
    503,
    "temporarily-unavailable",
    "Temporarily unavailable",
    "The answer could not be passed on right now. Please retry; the same answer is taken once.",
    headers={"Retry-After": "30"},
)
