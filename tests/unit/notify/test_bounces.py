"""Which channel answers are a bounce (notify.bounces): only a refusal of the recipient. A real SMTP server and a real
HTTP server give these answers in tests/integration/test_notify_channels.py; here, each answer's meaning."""

import re

import aiosmtplib
import pytest

from civicflow.notify.adapters.http_delivery import failure_for
from civicflow.notify.adapters.smtp_email import _failure
from civicflow.notify.bounces import Bounced, enhanced_code
from civicflow.shared.messaging import PermanentFailure, TransientFailure

ADDRESS = "victim@example.org"


def rcpt(code: int, reply: str) -> aiosmtplib.SMTPRecipientsRefused:
    """What aiosmtplib raises when the only recipient was refused at RCPT."""
    return aiosmtplib.SMTPRecipientsRefused([aiosmtplib.SMTPRecipientRefused(code, reply, ADDRESS)])


@pytest.mark.parametrize(
    "error",
    [
        rcpt(550, f"5.1.1 <{ADDRESS}>: Recipient address rejected: User unknown"),
        rcpt(550, "Requested action not taken: mailbox unavailable"),  # no enhanced code: the basic one decides
        rcpt(551, "User not local; please try <elsewhere@example.org>"),
        rcpt(553, "Requested action not taken: mailbox name not allowed"),
        rcpt(554, "5.1.10 Recipient address has null MX"),  # an address status, whatever the basic code
        aiosmtplib.SMTPRecipientRefused(550, "5.1.1 No such user", ADDRESS),
        aiosmtplib.SMTPDataError(550, "5.1.1 The email account that you tried to reach does not exist"),
        aiosmtplib.SMTPDataError(553, "No such mailbox"),
    ],
)
def test_an_smtp_refusal_of_the_recipient_is_a_bounce(error: aiosmtplib.SMTPException) -> None:
    failure = _failure(error)
    assert isinstance(failure, Bounced) and isinstance(failure, PermanentFailure)
    assert re.fullmatch(r"SMTP 5\d\d", str(failure))  # the code only: the reply may quote the address


@pytest.mark.parametrize(
    "error",
    [
        rcpt(550, "5.7.1 Relaying denied"),  # a policy refusal, with the recipient's basic code
        rcpt(552, "Requested mail action aborted: exceeded storage allocation"),
        rcpt(554, "Transaction failed"),
        aiosmtplib.SMTPDataError(550, "5.7.1 Message rejected as spam"),
        aiosmtplib.SMTPDataError(552, "5.3.4 Message size exceeds fixed limit"),
        aiosmtplib.SMTPDataError(554, "5.6.0 Message content rejected"),
        aiosmtplib.SMTPSenderRefused(550, "5.1.0 Sender rejected", "no-reply@civicflow.localhost"),  # about us
        aiosmtplib.SMTPSenderRefused(553, "Sender address not allowed", "no-reply@civicflow.localhost"),
        aiosmtplib.SMTPAuthenticationError(535, "5.7.8 Authentication credentials invalid"),
        aiosmtplib.SMTPConnectResponseError(554, "No SMTP service here"),
    ],
)
def test_an_smtp_refusal_for_another_reason_fails_the_message_but_is_no_bounce(
    error: aiosmtplib.SMTPException,
) -> None:
    failure = _failure(error)
    assert isinstance(failure, PermanentFailure) and not isinstance(failure, Bounced)


@pytest.mark.parametrize(
    "error",
    [
        rcpt(450, "4.2.1 Mailbox busy"),
        rcpt(451, "4.1.1 Recipient verification temporarily unavailable"),  # an address status, but for now
        aiosmtplib.SMTPDataError(451, "4.3.0 Try again later"),
        aiosmtplib.SMTPServerDisconnected("Connection lost"),
        aiosmtplib.SMTPReadTimeoutError("Timed out"),
    ],
)
def test_a_passing_smtp_failure_is_no_bounce(error: aiosmtplib.SMTPException) -> None:
    assert isinstance(_failure(error), TransientFailure)


def test_only_the_enhanced_code_is_read_of_a_reply() -> None:
    assert enhanced_code("5.1.1 <victim@example.org> unknown") == "5.1.1"
    assert enhanced_code("  5.1.10 null MX") == "5.1.10"
    assert enhanced_code("User unknown 5.1.1") is None  # only where RFC 2034 puts it: first
    assert enhanced_code("5.1 unknown") is None and enhanced_code("") is None


@pytest.mark.parametrize("status", [404, 410, 422])
def test_a_providers_refusal_of_the_recipient_is_a_bounce(status: int) -> None:
    failure = failure_for(status, "SMS")
    assert isinstance(failure, Bounced) and str(failure) == f"SMS: HTTP {status}"


@pytest.mark.parametrize("status", [400, 401, 403, 405, 409, 413, 415, 301])
def test_a_providers_refusal_of_our_request_fails_the_message_but_is_no_bounce(status: int) -> None:
    failure = failure_for(status, "webhook")
    assert isinstance(failure, PermanentFailure) and not isinstance(failure, Bounced)


@pytest.mark.parametrize("status", [408, 425, 429, 500, 502, 503])
def test_a_passing_http_failure_is_no_bounce(status: int) -> None:
    assert isinstance(failure_for(status, "SMS"), TransientFailure)
    assert failure_for(202, "SMS") is None
