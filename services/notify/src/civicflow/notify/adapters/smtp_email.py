"""E-mail over SMTP."""

from email.message import EmailMessage
from email.utils import formatdate

import aiosmtplib
from opentelemetry import trace

from civicflow.notify.domain.messages import Message
from civicflow.shared.events import Recipient
from civicflow.shared.settings import SmtpSettings

tracer = trace.get_tracer(__name__)


class SmtpEmail:
    name = "email"

    def __init__(self, settings: SmtpSettings) -> None:
        self._settings = settings

    async def send(self, recipient: Recipient, message: Message, message_key: str) -> None:
        email = EmailMessage()
        email["From"] = self._settings.sender
        email["To"] = recipient.email
        email["Subject"] = message.subject
        email["Date"] = formatdate(localtime=False)
        # Stable per submission and step, so a mail client also folds a duplicate delivery into one.
        email["Message-ID"] = f"<{message_key}@civicflow>"
        email.set_content(message.body)
        email["Content-Language"] = message.language  # after set_content, which drops Content-* headers
        settings = self._settings
        with tracer.start_as_current_span("smtp send", kind=trace.SpanKind.CLIENT) as span:
            span.set_attribute("server.address", settings.host)
            span.set_attribute("server.port", settings.port)
            await aiosmtplib.send(
                email,
                hostname=settings.host,
                port=settings.port,
                username=settings.username,
                password=settings.password.get_secret_value() if settings.password else None,
                start_tls=settings.starttls,
                timeout=settings.timeout_seconds,
            )
