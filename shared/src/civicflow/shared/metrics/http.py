"""http_server_request_duration_seconds: OpenTelemetry's http.server.request.duration, recorded by a plain ASGI
middleware (Starlette's BaseHTTPMiddleware costs a task per request). Its _count is the requests by status code.

The route is the template the request matched (`/v1/submissions/{submission_id}`), never the raw path, which holds
ids; a request that matched none (a 404, or one refused before routing, e.g. by a rate limit) is counted under
UNMATCHED_ROUTE. A method other than HTTP's own is counted as `_OTHER`, as the convention says."""

import time

from prometheus_client import CollectorRegistry, Histogram
from starlette.types import ASGIApp, Message, Receive, Scope, Send

UNMATCHED_ROUTE = "unmatched"
OTHER_METHOD = "_OTHER"
KNOWN_METHODS = frozenset({"CONNECT", "DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT", "TRACE"})
# The bucket boundaries the semantic conventions advise for http.server.request.duration.
DURATION_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0)


def request_duration(registry: CollectorRegistry) -> Histogram:
    return Histogram(
        "http_server_request_duration_seconds",
        "Duration of HTTP server requests, by method, route template and status code",
        ["http_request_method", "http_route", "http_response_status_code"],
        buckets=DURATION_BUCKETS,
        registry=registry,
    )


class RequestMetrics:
    def __init__(self, app: ASGIApp, duration: Histogram) -> None:
        self.app, self.duration = app, duration

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        status = 500  # what the server answers when the app raised before it began an answer

        async def send_noting_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        start = time.perf_counter()
        try:
            await self.app(scope, receive, send_noting_status)
        finally:
            labels = (_method(scope), _route(scope), str(status))
            self.duration.labels(*labels).observe(time.perf_counter() - start)


def _method(scope: Scope) -> str:
    method: str = scope["method"]
    return method if method in KNOWN_METHODS else OTHER_METHOD


def _route(scope: Scope) -> str:
    """The template of the route the router chose (it notes it in the scope); a mount's with its `{path}`."""
    route = scope.get("route")
    template = getattr(route, "path_format", None) or getattr(route, "path", None)
    return template if isinstance(template, str) and template else UNMATCHED_ROUTE
