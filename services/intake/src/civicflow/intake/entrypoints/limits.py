"""Limits on what a request may carry before intake looks at it: its headers. (uvicorn reads them first; a proxy
in front sets the hard limit, this one keeps an oversized request from reaching any route.)"""

from collections.abc import Awaitable, Callable

from fastapi import FastAPI, Request, Response

from civicflow.intake.entrypoints.problems import Problem

MAX_HEADERS = 64
MAX_HEADER_BYTES = 16 * 1024


def install_header_limits(app: FastAPI) -> None:
    @app.middleware("http")
    async def limit_headers(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        raw = request.scope["headers"]
        if len(raw) > MAX_HEADERS or sum(len(name) + len(value) for name, value in raw) > MAX_HEADER_BYTES:
            problem = Problem(
                431,
                "request-header-fields-too-large",
                "Request header fields too large",
                f"Send at most {MAX_HEADERS} headers of at most {MAX_HEADER_BYTES} bytes together.",
            )
            return problem.response(request.url.path)
        return await call_next(request)
