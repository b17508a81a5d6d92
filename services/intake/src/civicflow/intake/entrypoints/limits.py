"""Limits checked before intake looks at a request: its headers (uvicorn reads them first; a proxy in front sets
the hard limit, this one keeps an oversized request from reaching any route), and the submissions per client
address (a token bucket per address in this process, rate_limit.TokenBuckets; 429 with Retry-After, RFC 6585 §4,
before the body is read). Some paths count against buckets of their own: a page reporting its funnel
(/v1/experience) must not use up the submissions its citizen may make. Reads are not counted, but for those under
a prefix given a bucket of its own (the agencies' attachment fetches: each reads and encrypts a file). A plain ASGI
middleware: Starlette's BaseHTTPMiddleware costs a task per request."""

import math
from collections.abc import Mapping

from starlette.requests import Request
from starlette.types import ASGIApp, Receive, Scope, Send

from civicflow.intake.entrypoints.rate_limit import TokenBuckets
from civicflow.shared.problems import Problem

MAX_HEADERS = 64
MAX_HEADER_BYTES = 16 * 1024


class RequestLimits:
    def __init__(
        self,
        app: ASGIApp,
        buckets: TokenBuckets,
        own_buckets: Mapping[str, TokenBuckets] | None = None,
        read_buckets: Mapping[str, TokenBuckets] | None = None,
    ) -> None:
        self.app, self.buckets = app, buckets
        self.own_buckets = dict(own_buckets or {})  # by path
        self.read_buckets = dict(read_buckets or {})  # by path prefix

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        problem = self._refusal(scope) if scope["type"] == "http" else None
        if problem is None:
            await self.app(scope, receive, send)
            return
        await problem.response(Request(scope).url.path)(scope, receive, send)

    def _refusal(self, scope: Scope) -> Problem | None:
        raw = scope["headers"]
        if len(raw) > MAX_HEADERS or sum(len(name) + len(value) for name, value in raw) > MAX_HEADER_BYTES:
            return Problem(
                431,
                "request-header-fields-too-large",
                "Request header fields too large",
                f"Send at most {MAX_HEADERS} headers of at most {MAX_HEADER_BYTES} bytes together.",
            )
        buckets = self._counted_against(scope["method"], scope["path"])
        if buckets is not None:
            client = scope.get("client")
            wait = buckets.take(client[0] if client else "unknown")
            if wait > 0:
                seconds = str(math.ceil(wait))
                return Problem(
                    429,
                    "too-many-requests",
                    "Too many requests",
                    f"Too many requests from this address; please retry in {seconds} s.",
                    headers={"Retry-After": seconds},
                )
        return None

    def _counted_against(self, method: str, path: str) -> TokenBuckets | None:
        if method == "POST":
            return self.own_buckets.get(path, self.buckets)
        if method in ("GET", "HEAD"):
            return next((found for prefix, found in self.read_buckets.items() if path.startswith(prefix)), None)
        return None
