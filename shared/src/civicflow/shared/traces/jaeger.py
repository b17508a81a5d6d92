"""Jaeger's HTTP query API, as `civicflow trace` and insights' operator page read it: one trace, by its id, or the
trace of a submission, by the submission id intake puts on the span that accepted it (SUBMISSION_ID_ATTRIBUTE).

`GET /api/traces/{trace_id}` and `GET /api/traces?service=&tags=` are the JSON API Jaeger's own UI reads; Jaeger v2
serves them as v1 did. They answer `{"data": [trace, ...]}`; the first, 404 for a trace it does not hold.
"""

import json
import time
from typing import Any, Final
from uuid import UUID

import httpx

# The span attribute naming the submission a trace is of (a random id, nothing personal).
SUBMISSION_ID_ATTRIBUTE: Final = "civicflow.submission_id"
# The service whose span carries it, and how far back a search looks.
ACCEPTING_SERVICE: Final = "civicflow-intake"
LOOKBACK_SECONDS: Final = 30 * 86400


class JaegerUnreachable(Exception):
    """Nothing answers at the query address, or something that is not Jaeger does."""


async def fetch_trace(base_url: str, trace_id: str, timeout_seconds: float = 10.0) -> dict[str, Any] | None:
    """The trace as the API gives it (an element of `data`), or None when Jaeger holds no span of it."""
    try:
        async with httpx.AsyncClient(base_url=base_url, timeout=timeout_seconds) as client:
            response = await client.get(f"/api/traces/{trace_id}")
    except httpx.HTTPError as error:
        raise JaegerUnreachable(f"{base_url}: {error!r}") from error
    if response.status_code == httpx.codes.NOT_FOUND:
        return None
    if response.status_code != httpx.codes.OK:
        raise JaegerUnreachable(f"{base_url} answered {response.status_code}: {response.text[:200]}")
    try:
        found: list[dict[str, Any]] = response.json()["data"] or []
    except (ValueError, KeyError, TypeError) as error:
        raise JaegerUnreachable(f"{base_url} does not answer as Jaeger's query API: {response.text[:200]}") from error
    return found[0] if found else None


async def find_trace(base_url: str, submission_id: UUID, timeout_seconds: float = 10.0) -> dict[str, Any] | None:
    """The submission's trace (as `fetch_trace` gives it), found by the attribute intake set; None when Jaeger
    holds none (too old for its memory, or never exported)."""
    now = time.time_ns() // 1000
    params = {
        "service": ACCEPTING_SERVICE,
        "tags": json.dumps({SUBMISSION_ID_ATTRIBUTE: str(submission_id)}),
        "start": str(now - LOOKBACK_SECONDS * 1_000_000),
        "end": str(now),
        "limit": "1",
    }
    try:
        async with httpx.AsyncClient(base_url=base_url, timeout=timeout_seconds) as client:
            response = await client.get("/api/traces", params=params)
    except httpx.HTTPError as error:
        raise JaegerUnreachable(f"{base_url}: {error!r}") from error
    if response.status_code != httpx.codes.OK:
        raise JaegerUnreachable(f"{base_url} answered {response.status_code}: {response.text[:200]}")
    try:
        found: list[dict[str, Any]] = response.json()["data"] or []
    except (ValueError, KeyError, TypeError) as error:
        raise JaegerUnreachable(f"{base_url} does not answer as Jaeger's query API: {response.text[:200]}") from error
    if not found:
        return None
    # A search answers with the matching spans only: the whole trace is asked for by its id.
    return await fetch_trace(base_url, str(found[0]["traceID"]), timeout_seconds)
