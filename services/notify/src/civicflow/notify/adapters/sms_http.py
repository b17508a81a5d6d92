"""SMS through a provider's HTTP API: one JSON POST per message, its reference the message key.

The provider is told the key twice, as the `reference` in the body and as the Idempotency-Key header, so that either
way it recognises a resend (after a crash between its acceptance and our record) and sends no second SMS.
"""

import json
from collections.abc import Generator

import httpx

from civicflow.notify.adapters.http_delivery import IDEMPOTENCY_KEY, post_json
from civicflow.notify.domain.channels import AddressKind
from civicflow.notify.domain.messages import Message
from civicflow.shared.events import NotificationStatus
from civicflow.shared.settings import SmsSettings


class HttpSms:
    name = "sms"
    address_kind = AddressKind.PHONE

    def __init__(self, settings: SmsSettings) -> None:
        if not settings.url:
            raise ValueError("the SMS channel needs SMS_URL")
        self._url = settings.url
        self._client = httpx.AsyncClient(timeout=settings.timeout_seconds, auth=_auth(settings))

    async def send(self, address: str, message: Message, message_key: str) -> NotificationStatus:
        """SENDING once the provider took it: it has yet to reach the phone."""
        # An SMS is plain text: the subject as its first line, as a phone shows no subject.
        document = {"to": address, "text": f"{message.subject}\n\n{message.body}", "reference": message_key}
        body = json.dumps(document, ensure_ascii=False).encode()
        await post_json(self._client, self._url, body, {IDEMPOTENCY_KEY: message_key}, channel="SMS")
        return NotificationStatus.SENDING

    async def close(self) -> None:
        await self._client.aclose()


def _auth(settings: SmsSettings) -> httpx.Auth | None:
    if settings.token is None:
        return None
    token = settings.token.get_secret_value()
    return httpx.BasicAuth(settings.username, token) if settings.username else _BearerToken(token)


class _BearerToken(httpx.Auth):
    """`Authorization: Bearer <token>` (RFC 6750 §2.1), as httpx's documentation writes a custom scheme."""

    def __init__(self, token: str) -> None:
        self._token = token

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers["Authorization"] = f"Bearer {self._token}"
        yield request
