"""The SMTP and JWKS adapters against the real local SMTP server and identity provider."""

import email
import email.policy
from uuid import uuid4

import httpx
import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

from civicflow.identity.adapters.http_jwks import HttpJwks
from civicflow.local.idp import SigningKey
from civicflow.local.layout import Layout
from civicflow.notify.adapters.smtp_email import SmtpEmail
from civicflow.notify.domain.messages import Message
from civicflow.shared.messaging import PermanentFailure, TransientFailure
from civicflow.shared.settings import SmtpSettings
from tests.support.ports import free_ports

pytestmark = pytest.mark.integration


async def test_an_email_reaches_the_smtp_server_with_its_headers(stack: Layout) -> None:
    host, port = stack.smtp_address
    key = f"{uuid4()}.routed"
    message = Message(subject="Ihr Antrag wurde an die zuständige Stelle übermittelt", body="Grüße", language="de")
    await SmtpEmail(SmtpSettings(host=host, port=port)).send("erika@example.org", message, message_key=key)
    found = [
        parsed
        for path in stack.mail_dir.glob("*.eml")
        if key
        in str((parsed := email.message_from_bytes(path.read_bytes(), policy=email.policy.default))["Message-ID"])
    ]
    assert len(found) == 1
    (mail,) = found
    assert mail["Subject"] == message.subject and mail["To"] == "erika@example.org"
    assert mail["Content-Language"] == "de"
    assert mail.get_content().strip() == "Grüße"


async def test_the_providers_signing_key_is_found_by_its_id(stack: Layout) -> None:
    kid = SigningKey.load_or_create(stack.idp_state_dir).kid
    async with httpx.AsyncClient() as client:
        keys = HttpJwks(f"{stack.idp_issuer}/.well-known/jwks.json", client)
        assert await keys.key(kid) is not None
        assert await keys.key("not-a-published-key") is None
        assert await keys.key(None) is None


async def test_an_unreachable_provider_is_a_passing_failure_not_a_rejection() -> None:
    async with httpx.AsyncClient() as client:
        keys = HttpJwks("http://127.0.0.1:9/.well-known/jwks.json", client)
        with pytest.raises(TransientFailure, match="identity provider unreachable"):
            await keys.key("any")


async def test_a_provider_that_refuses_us_is_a_permanent_failure(stack: Layout) -> None:
    async with httpx.AsyncClient() as client:
        keys = HttpJwks(f"{stack.idp_issuer}/no-such-document", client)
        with pytest.raises(PermanentFailure, match="HTTP 404"):
            await keys.key("any")


class Refusing:
    """An SMTP server's answers to RCPT: 550 for one mailbox, 451 for another, 250 for the rest."""

    async def handle_RCPT(  # noqa: N802 - aiosmtpd's hook name
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        if address.startswith("gone@"):
            return "550 5.1.1 mailbox unavailable"
        if address.startswith("full@"):
            return "451 4.2.2 mailbox full, try later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:  # noqa: N802
        return "250 Message accepted"


async def test_the_smtp_servers_verdict_decides_between_retry_and_dead_letter() -> None:
    (port,) = free_ports(1)
    controller = Controller(Refusing(), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        email = SmtpEmail(SmtpSettings(host="127.0.0.1", port=port))
        message = Message(subject="Betreff", body="Text", language="de")
        await email.send("erika@example.org", message, message_key="a.received")
        with pytest.raises(PermanentFailure, match=r"^SMTP 550$"):
            await email.send("gone@example.org", message, message_key="b.received")
        with pytest.raises(TransientFailure, match=r"^SMTP 451$"):
            await email.send("full@example.org", message, message_key="c.received")
        await email.send("erika@example.org", message, message_key="d.received")
        await email.close()
    finally:
        controller.stop()
    refused = SmtpEmail(SmtpSettings(host="127.0.0.1", port=port, timeout_seconds=2.0))
    with pytest.raises(TransientFailure):  # the server is gone: the mail waits for a retry
        await refused.send("erika@example.org", message, message_key="e.received")
