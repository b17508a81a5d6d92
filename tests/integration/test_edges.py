"""The SMTP and JWKS adapters against the real local SMTP server and identity provider."""

import email
import email.policy
from uuid import uuid4

import httpx
import pytest

from civicflow.identity.adapters.http_jwks import HttpJwks
from civicflow.local.idp import SigningKey
from civicflow.local.layout import Layout
from civicflow.notify.adapters.smtp_email import SmtpEmail
from civicflow.notify.domain.messages import Message
from civicflow.shared.events import Recipient
from civicflow.shared.settings import SmtpSettings

pytestmark = pytest.mark.integration


async def test_an_email_reaches_the_smtp_server_with_its_headers(stack: Layout) -> None:
    host, port = stack.smtp_address
    key = f"{uuid4()}.routed"
    message = Message(subject="Ihr Antrag wurde an die zuständige Stelle übermittelt", body="Grüße", language="de")
    await SmtpEmail(SmtpSettings(host=host, port=port)).send(
        Recipient(email="erika@example.org", language="de"), message, message_key=key
    )
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


async def test_an_unreachable_provider_is_an_error_not_a_rejection() -> None:
    async with httpx.AsyncClient() as client:
        keys = HttpJwks("http://127.0.0.1:9/.well-known/jwks.json", client)
        with pytest.raises(httpx.HTTPError):
            await keys.key("any")
