"""RFC 9457 problem details (application/problem+json) for every error insights answers with, as intake's are."""

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pymongo.errors import PyMongoError
from starlette.exceptions import HTTPException

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
        errors: list[dict[str, str]] | None = None,
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
            body["errors"] = self.errors  # a JSON Pointer per failing parameter, as in RFC 9457 §3
        return JSONResponse(body, status_code=self.status, media_type=PROBLEM_JSON, headers=self.headers)


def bad_parameter(pointer: str, detail: str) -> Problem:
    return Problem(400, "invalid-parameter", "Invalid parameter", detail, [{"pointer": pointer, "detail": detail}])


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
        errors = [
            {"pointer": "/" + "/".join(str(part) for part in item["loc"]), "detail": item["msg"]}
            for item in error.errors()
        ]
        problem = Problem(400, "invalid-parameter", "Invalid parameter", "A parameter is not valid.", errors)
        return problem.response(request.url.path)

    async def on_unexpected(request: Request, error: Exception) -> JSONResponse:
        # Never a bare 500, and never the error's text.
        if isinstance(error, PyMongoError):
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
