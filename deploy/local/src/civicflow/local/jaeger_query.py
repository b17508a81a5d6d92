"""Jaeger's HTTP query API, as `civicflow trace` reads it: one trace, by its id.

`GET /api/traces/{trace_id}` is the JSON API Jaeger's own UI reads; Jaeger v2 serves it as v1 did. It answers
`{"data": [trace]}`, or 404 for a trace it does not hold.
"""

from typing import Any

import httpx


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
