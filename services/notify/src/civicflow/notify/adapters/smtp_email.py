"""E-mail over SMTP, on a few connections kept open and reused (one connection per mail costs both ends far more
than the mail itself)."""

import asyncio
from email.header import Header
from email.mime.base import MIMEBase
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.policy import compat32
from email.utils import formatdate, parseaddr

import aiosmtplib
from opentelemetry import trace

from civicflow.notify.bounces import Bounced, smtp_refuses_recipient
from civicflow.notify.domain.channels import AddressKind
from civicflow.notify.domain.messages import Message
from civicflow.shared.events import NotificationStatus
from civicflow.shared.messaging import PermanentFailure, TransientFailure
from civicflow.shared.settings import SmtpSettings

tracer = trace.get_tracer(__name__)
# CRLF line ends for SMTP, but compat32's generator: email.policy.SMTP re-parses every header of every part while
# writing them, more than half the cost of composing a mail (the headers here are ASCII or encoded already).
# Lines up to RFC 5322's limit (§2.1.1, 998): a Message-ID is never folded onto a line of its own.
_SMTP_COMPAT32 = compat32.clone(linesep="\r\n", max_line_length=998)


class SmtpEmail:
    name = "email"
    address_kind = AddressKind.EMAIL

    def __init__(self, settings: SmtpSettings) -> None:
        self._settings = settings
        self._envelope_sender = parseaddr(settings.sender)[1]
        self._idle: list[aiosmtplib.SMTP] = []
        self._slots = asyncio.Semaphore(settings.connections)

    async def send(self, address: str, message: Message, message_key: str) -> NotificationStatus:
        """SENDING once the SMTP server took it: a relay's acceptance says nothing of the citizen's mailbox."""
        email = self._compose(address, message, message_key)
        envelope = (self._envelope_sender, address)
        settings = self._settings
        with tracer.start_as_current_span("smtp send", kind=trace.SpanKind.CLIENT) as span:
            span.set_attribute("server.address", settings.host)
            span.set_attribute("server.port", settings.port)
            async with self._slots:
                try:
                    self._idle.append(await self._deliver(envelope, email))
                except aiosmtplib.SMTPException as error:
                    raise _failure(error) from error
        return NotificationStatus.SENDING

    async def close(self) -> None:
        while self._idle:
            self._idle.pop().close()

    async def _deliver(self, envelope: tuple[str, str], email: bytes) -> aiosmtplib.SMTP:
        """Returns the connection it sent on, for the next mail; a connection that failed is closed."""
        sender, recipient = envelope
        client = self._idle.pop() if self._idle else None
        if client is not None:
            try:
                await client.sendmail(sender, [recipient], email)
                return client
            except aiosmtplib.SMTPServerDisconnected:
                client.close()  # the server dropped the idle connection before our first command: nothing was sent
            except BaseException:
                client.close()
                raise
        client = await self._connect()
        try:
            await client.sendmail(sender, [recipient], email)
        except BaseException:
            client.close()
            raise
        return client

    async def _connect(self) -> aiosmtplib.SMTP:
        settings = self._settings
        client = aiosmtplib.SMTP(
            hostname=settings.host, port=settings.port, timeout=settings.timeout_seconds, start_tls=settings.starttls
        )
        await client.connect()
        if settings.username:
            password = settings.password.get_secret_value() if settings.password else ""
            await client.login(settings.username, password)
        return client

    def _compose(self, address: str, message: Message, message_key: str) -> bytes:
        # The compat32 MIME classes: email.policy.default parses every header it is given, at four times the
        # cost of the whole rest of sending a mail.
        email: MIMEBase = MIMEText(message.body, "plain", "utf-8")
        if message.html is not None:
            # The plain text first, the richer part last, which a client shows if it can (RFC 2046 §5.1.4).
            email = MIMEMultipart("alternative", _subparts=[email, MIMEText(message.html, "html", "utf-8")])
        email["From"] = self._settings.sender
        email["To"] = address
        email["Subject"] = Header(message.subject, "utf-8", header_name="Subject").encode()
        email["Date"] = formatdate(localtime=False)
        # Stable per notification, so a mail client also folds a duplicate delivery (a resend after a crash) into one.
        email["Message-ID"] = f"<{message_key}@civicflow>"
        email["Content-Language"] = message.language
        return email.as_bytes(policy=_SMTP_COMPAT32)


def _failure(error: aiosmtplib.SMTPException) -> Exception:
    """SMTP's own verdict (RFC 5321 §4.2.1): 5xx will never succeed, 4xx may; a lost connection may too. A 5xx to
    RCPT or DATA that refuses the mailbox is a bounce (notify.bounces); to MAIL, HELO or AUTH it is about us.
    Only the code is kept: the server's text may quote the address."""
    code, reply = getattr(error, "code", None), getattr(error, "message", "")
    if isinstance(error, aiosmtplib.SMTPRecipientsRefused) and error.recipients:
        code, reply = error.recipients[0].code, error.recipients[0].message
    if not isinstance(code, int) or not 500 <= code < 600:
        return TransientFailure(f"SMTP {code}" if isinstance(code, int) else type(error).__name__)
    about_recipient = (aiosmtplib.SMTPRecipientsRefused, aiosmtplib.SMTPRecipientRefused, aiosmtplib.SMTPDataError)
    if isinstance(error, about_recipient) and smtp_refuses_recipient(code, reply):
        return Bounced(f"SMTP {code}")
    return PermanentFailure(f"SMTP {code}")
