"""One POST to a provider's or portal's HTTP API, and what its answer means for the message.

2xx: delivered. 408, 425, 429 and 5xx, a timeout or a lost connection: the next attempt may succeed (RFC 9110
§15.5.9, RFC 8470 §5.2, RFC 6585 §4, §15.6), so the message is retried. Any other answer (a 4xx: malformed,
unauthorised, an unknown recipient; or a redirect we do not follow) will be the same next time: dead letter. Errors
carry the status or the exception's type, never the body either way: a provider's answer may quote the recipient.
"""

from collections.abc import Mapping

import httpx
from opentelemetry import trace

from civicflow.notify.bounces import HTTP_RECIPIENT_REFUSED, Bounced
from civicflow.shared.messaging import PermanentFailure, TransientFailure

# draft-ietf-httpapi-idempotency-key-header: the provider keeps the key and answers a repeated request without
# sending again, so a resend after a crash between its acceptance and our record is not a second message.
IDEMPOTENCY_KEY = "Idempotency-Key"
RETRYABLE_STATUSES = frozenset({408, 425, 429})

tracer = trace.get_tracer(__name__)


def failure_for(status: int, channel: str) -> PermanentFailure | TransientFailure | None:
    """None for a success, else the failure to raise for this HTTP status."""
    if 200 <= status < 300:
        return None
    if status in RETRYABLE_STATUSES or 500 <= status < 600:
        return TransientFailure(f"{channel}: HTTP {status}")
    if status in HTTP_RECIPIENT_REFUSED:  # the provider knows no such recipient: a bounce (notify.bounces)
        return Bounced(f"{channel}: HTTP {status}")
    return PermanentFailure(f"{channel}: HTTP {status}")


async def post_json(
    client: httpx.AsyncClient, url: str, body: bytes, headers: Mapping[str, str], *, channel: str
) -> None:
    """POSTs `body` (JSON) to `url`; raises as failure_for says, or TransientFailure when no answer came."""
    with tracer.start_as_current_span(f"{channel} send", kind=trace.SpanKind.CLIENT) as span:
        span.set_attribute("http.request.method", "POST")
        span.set_attribute("server.address", httpx.URL(url).host)
        try:
            response = await client.post(url, content=body, headers={"Content-Type": "application/json", **headers})
        except httpx.TransportError as error:  # timed out, refused, reset, or the answer was cut off
            raise TransientFailure(f"{channel}: {type(error).__name__}") from error
        span.set_attribute("http.response.status_code", response.status_code)
        failure = failure_for(response.status_code, channel)
        if failure is not None:
            raise failure
