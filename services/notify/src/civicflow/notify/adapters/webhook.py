"""The citizen's mailbox at a portal (a BundID-style Postfach): one signed JSON POST per message.

Signed as the agency kit signs its webhooks (civicflow_agency.signature: HMAC-SHA256 over `<unix seconds>.<body>`,
the CivicFlow-Timestamp and CivicFlow-Signature headers), so one receiver-side check, `verify_webhook`, serves
both. During a rotation each request carries a signature with the current and with the previous secret, the
current first: the portal accepts either, and switches secrets when it likes.
"""

import json
import time
from typing import Any

import httpx
from civicflow_agency.signature import sign

from civicflow.notify.adapters.http_delivery import IDEMPOTENCY_KEY, post_json
from civicflow.notify.domain.channels import AddressKind
from civicflow.notify.domain.messages import Message
from civicflow.shared.events import NotificationStatus
from civicflow.shared.settings import NotifyWebhookSettings


class PortalWebhook:
    name = "webhook"
    address_kind = AddressKind.MAILBOX

    def __init__(self, settings: NotifyWebhookSettings) -> None:
        if not settings.url:
            raise ValueError("the webhook channel needs NOTIFY_WEBHOOK_URL")
        self._url, self._secrets = settings.url, settings.signing_secrets()
        self._client = httpx.AsyncClient(timeout=settings.timeout_seconds)

    async def send(self, address: str, message: Message, message_key: str) -> NotificationStatus:
        """DELIVERED once the portal answered 2xx: it has put the message in the citizen's mailbox."""
        body = json.dumps(_document(address, message, message_key), ensure_ascii=False).encode()
        # Signed at each attempt: a retry an hour later still falls in the portal's window (WINDOW_SECONDS).
        headers = sign(body, self._secrets, int(time.time())) | {IDEMPOTENCY_KEY: message_key}
        await post_json(self._client, self._url, body, headers, channel="webhook")
        return NotificationStatus.DELIVERED

    async def close(self) -> None:
        await self._client.aclose()


def _document(mailbox: str, message: Message, message_key: str) -> dict[str, Any]:
    document = {
        "reference": message_key,
        "recipient": mailbox,
        "language": message.language,
        "subject": message.subject,
        "text": message.body,
    }
    return document | {"html": message.html} if message.html else document  # the HTML alternative, if any
