"""Notify's channels against real servers: an HTTP server standing in for the SMS provider and the citizen's portal,
and an SMTP server (aiosmtpd) that refuses for a while or for good. What each answer means decides between a retry
and a dead letter, and no failure names the citizen's address or quotes the message."""

import base64
import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session
from civicflow_agency.signature import verify_webhook
from pydantic import SecretStr

from civicflow.notify.adapters.sms_http import HttpSms
from civicflow.notify.adapters.smtp_email import SmtpEmail
from civicflow.notify.adapters.webhook import PortalWebhook
from civicflow.notify.domain.messages import Message
from civicflow.shared.messaging import PermanentFailure, TransientFailure
from civicflow.shared.settings import NotifyWebhookSettings, SmsSettings, SmtpSettings
from tests.support.ports import free_ports

pytestmark = pytest.mark.integration

PHONE = "+4915112345678"
MAILBOX = "postfach-4711"
MESSAGE = Message(subject="Ihr Antrag ist eingegangen", body="Guten Tag, wir haben ihn erhalten.", language="de")
KEY = "0b7f3c9e-2f4d-4b7a-9a51-6c1d2e3f4a5b.received"
CURRENT, PREVIOUS = "new-portal-secret", "old-portal-secret"
TIMEOUT = 0.5  # the slow answer takes longer


@dataclass(frozen=True)
class Request:
    path: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


@contextmanager
def http_server() -> Iterator[tuple[str, list[Request]]]:
    """Answers a POST with the status its path names (`/200`, `/429` …), or `/slow`ly; keeps every request."""
    received: list[Request] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            received.append(Request(self.path, dict(self.headers.items()), body))
            if self.path == "/slow":
                time.sleep(TIMEOUT * 3)
            self.send_response(200 if self.path == "/slow" else int(self.path.strip("/")))
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    # A short poll: shutdown() waits for it, and every test stops a server.
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", received
    finally:
        server.shutdown()
        server.server_close()


def sms_to(url: str, **settings: Any) -> HttpSms:
    return HttpSms(SmsSettings(url=url, token=SecretStr("provider-token"), timeout_seconds=TIMEOUT, **settings))


def portal_at(url: str) -> PortalWebhook:
    return PortalWebhook(
        NotifyWebhookSettings(
            url=url, secret=SecretStr(CURRENT), previous_secret=SecretStr(PREVIOUS), timeout_seconds=TIMEOUT
        )
    )


FAILURES = [
    ("/429", TransientFailure, "HTTP 429"),
    ("/500", TransientFailure, "HTTP 500"),
    ("/503", TransientFailure, "HTTP 503"),
    ("/slow", TransientFailure, "ReadTimeout"),
    ("/400", PermanentFailure, "HTTP 400"),
    ("/401", PermanentFailure, "HTTP 401"),
]


async def test_an_sms_carries_its_reference_twice_so_a_resend_is_recognised() -> None:
    with http_server() as (url, received):
        sms = sms_to(f"{url}/202")
        await sms.send(PHONE, MESSAGE, message_key=KEY)
        await sms.send(PHONE, MESSAGE, message_key=KEY)  # after a crash: the provider sees the same key
        await sms.close()
    first, again = received
    assert first.json() == {"to": PHONE, "text": f"{MESSAGE.subject}\n\n{MESSAGE.body}", "reference": KEY}
    assert first.headers["Idempotency-Key"] == KEY and first.headers["Content-Type"] == "application/json"
    assert first.headers["Authorization"] == "Bearer provider-token"
    assert again.body == first.body and again.headers["Idempotency-Key"] == KEY


async def test_with_a_username_the_sms_token_is_the_basic_auth_password() -> None:
    with http_server() as (url, received):
        sms = sms_to(f"{url}/200", username="civicflow")
        await sms.send(PHONE, MESSAGE, message_key=KEY)
        await sms.close()
    (request,) = received
    assert request.headers["Authorization"] == "Basic " + base64.b64encode(b"civicflow:provider-token").decode()


@pytest.mark.parametrize(("path", "failure", "reason"), FAILURES)
async def test_the_sms_providers_answer_decides_between_retry_and_dead_letter(
    path: str, failure: type[Exception], reason: str
) -> None:
    with http_server() as (url, received):
        sms = sms_to(f"{url}{path}")
        with pytest.raises(failure) as raised:
            await sms.send(PHONE, MESSAGE, message_key=KEY)
        await sms.close()
    assert str(raised.value) == f"SMS: {reason}" and len(received) == 1
    assert PHONE not in str(raised.value) and MESSAGE.body not in str(raised.value)


async def test_an_unreachable_provider_is_a_passing_failure() -> None:
    (port,) = free_ports(1)  # nobody listens there
    sms = sms_to(f"http://127.0.0.1:{port}/messages")
    with pytest.raises(TransientFailure, match=r"^SMS: ConnectError$"):
        await sms.send(PHONE, MESSAGE, message_key=KEY)
    await sms.close()


async def test_the_portal_can_check_the_message_with_either_secret_during_a_rotation() -> None:
    with http_server() as (url, received):
        portal = portal_at(f"{url}/204")
        await portal.send(MAILBOX, replace(MESSAGE, html="<p>Guten Tag</p>"), message_key=KEY)
        await portal.send(MAILBOX, MESSAGE, message_key=KEY)
        await portal.close()
    with_html, plain = received
    now = time.time()
    assert verify_webhook(with_html.headers, with_html.body, [CURRENT], now=now)  # a portal that has switched
    assert verify_webhook(with_html.headers, with_html.body, [PREVIOUS], now=now)  # one that has not yet
    assert not verify_webhook(with_html.headers, with_html.body, ["someone-elses-secret"], now=now)
    assert not verify_webhook(with_html.headers, with_html.body + b" ", [CURRENT, PREVIOUS], now=now)
    assert with_html.headers["Idempotency-Key"] == KEY
    expected = {"reference": KEY, "recipient": MAILBOX, "language": "de", "subject": MESSAGE.subject}
    assert with_html.json() == expected | {"text": MESSAGE.body, "html": "<p>Guten Tag</p>"}
    assert plain.json() == expected | {"text": MESSAGE.body}  # no html where the message has none


@pytest.mark.parametrize(("path", "failure", "reason"), FAILURES)
async def test_the_portals_answer_decides_between_retry_and_dead_letter(
    path: str, failure: type[Exception], reason: str
) -> None:
    with http_server() as (url, _):
        portal = portal_at(f"{url}{path}")
        with pytest.raises(failure) as raised:
            await portal.send(MAILBOX, MESSAGE, message_key=KEY)
        await portal.close()
    assert str(raised.value) == f"webhook: {reason}" and MAILBOX not in str(raised.value)


class Answering:
    """An SMTP server that answers each mail's DATA with the next of `answers`, then accepts; keeps what it took."""

    def __init__(self, *answers: str) -> None:
        self.answers = list(answers)
        self.accepted: list[bytes] = []

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:  # noqa: N802
        if self.answers:
            return self.answers.pop(0)
        self.accepted.append(envelope.original_content or b"")
        return "250 Message accepted"


@contextmanager
def smtp_server(handler: Answering) -> Iterator[SmtpEmail]:
    (port,) = free_ports(1)
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield SmtpEmail(SmtpSettings(host="127.0.0.1", port=port))
    finally:
        controller.stop()


async def test_a_mail_refused_for_now_is_retried_and_then_delivered() -> None:
    server = Answering("451 4.3.0 Temporary local problem, try again later")
    with smtp_server(server) as email:
        with pytest.raises(TransientFailure, match=r"^SMTP 451$"):
            await email.send("erika@example.org", MESSAGE, message_key=KEY)
        await email.send("erika@example.org", MESSAGE, message_key=KEY)  # the retry
        await email.close()
    (mail,) = server.accepted
    assert f"<{KEY}@civicflow>".encode() in mail


async def test_a_mail_refused_for_good_is_not_retried() -> None:
    server = Answering("550 5.7.1 Message rejected as spam")
    with smtp_server(server) as email:
        with pytest.raises(PermanentFailure, match=r"^SMTP 550$"):
            await email.send("erika@example.org", MESSAGE, message_key=KEY)
        await email.close()
    assert server.accepted == []
