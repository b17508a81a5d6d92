"""Per-client rate limiting of submissions: a token bucket per client address, in this process (each intake
replica keeps its own; a gateway in front may keep a global one). Over the limit: a 429 problem with Retry-After
(RFC 6585 §4), before the body is read."""

import math
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable

from fastapi import FastAPI, Request, Response

from civicflow.intake.entrypoints.problems import Problem

# Addresses remembered at once; the least recently seen are forgotten first (and start again with a full bucket).
MAX_CLIENTS = 10_000


class TokenBuckets:
    def __init__(self, per_minute: float, burst: int, clock: Callable[[], float] = time.monotonic) -> None:
        self._rate, self._burst, self._clock = per_minute / 60.0, burst, clock
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()

    def __len__(self) -> int:
        return len(self._buckets)

    def take(self, client: str) -> float:
        """0 when the client may go on (a token is taken), else the seconds until it may."""
        now = self._clock()
        tokens, last = self._buckets.pop(client, (float(self._burst), now))
        tokens = min(float(self._burst), tokens + (now - last) * self._rate)
        wait = 0.0 if tokens >= 1 else (1 - tokens) / self._rate
        self._buckets[client] = (tokens - 1 if wait == 0 else tokens, now)
        if len(self._buckets) > MAX_CLIENTS:
            self._buckets.popitem(last=False)
        return wait


def install_rate_limit(app: FastAPI, buckets: TokenBuckets) -> None:
    @app.middleware("http")
    async def limit_submissions(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        if request.method == "POST":
            wait = buckets.take(request.client.host if request.client else "unknown")
            if wait > 0:
                seconds = str(math.ceil(wait))
                problem = Problem(
                    429,
                    "too-many-requests",
                    "Too many requests",
                    f"Too many submissions from this address; please retry in {seconds} s.",
                    headers={"Retry-After": seconds},
                )
                return problem.response(request.url.path)
        return await call_next(request)
