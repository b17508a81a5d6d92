"""A real HTTP server standing in for an SMS provider and a citizen's portal, for the running stack: it answers each
recipient as a test scripts it (`503` then `200` …, the last answer repeated; `200` unscripted) and keeps what it was
sent, as such a provider does: the recipient, the idempotency key, the body."""

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass(frozen=True)
class Received:
    path: str  # /sms or /portal
    recipient: str  # the phone number ("to") or the mailbox id ("recipient")
    idempotency_key: str
    status: int  # what it was answered
    body: dict[str, Any]


@dataclass
class Provider:
    url: str
    answers: dict[str, list[int]] = field(default_factory=dict)
    received: list[Received] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def script(self, recipient: str, statuses: list[int]) -> None:
        with self.lock:
            self.answers[recipient] = list(statuses)

    def sent_to(self, recipient: str) -> list[Received]:
        with self.lock:
            return [request for request in self.received if request.recipient == recipient]

    def answer(self, path: str, headers: dict[str, str], body: dict[str, Any]) -> int:
        recipient = str(body.get("to") or body.get("recipient") or "")
        with self.lock:
            statuses = self.answers.get(recipient, [200])
            status = statuses.pop(0) if len(statuses) > 1 else statuses[0]
            key = headers.get("Idempotency-Key", "")
            self.received.append(Received(path, recipient, key, status, body))
        return status


@contextmanager
def running_provider() -> Iterator[Provider]:
    """Serves until the block ends; SMS at `<url>/sms`, the portal at `<url>/portal`."""
    provider: Provider | None = None

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            assert provider is not None
            status = provider.answer(self.path, dict(self.headers.items()), json.loads(raw or b"{}"))
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    provider = Provider(f"http://127.0.0.1:{server.server_address[1]}")
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    try:
        yield provider
    finally:
        server.shutdown()
        server.server_close()


def provider_env(provider: Provider) -> dict[str, str]:
    """Notify's SMS and portal channels, pointed at `provider`."""
    return {
        "SMS_URL": f"{provider.url}/sms",
        "SMS_TOKEN": "test-provider-token",
        "NOTIFY_WEBHOOK_URL": f"{provider.url}/portal",
        "NOTIFY_WEBHOOK_SECRET": "test-portal-secret",
    }
