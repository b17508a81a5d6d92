"""The local SMTP server answers as a test scripts it (tests/support/smtp_script.py), over real SMTP: refusals for
now, for good, at RCPT TO, and a message held before it is accepted."""

import asyncio
import time
from collections.abc import Iterator
from email.message import EmailMessage
from pathlib import Path

import aiosmtplib
import pytest

from civicflow.local.smtp_server import start
from tests.support.ports import free_ports
from tests.support.smtp_script import answered, holding, script

pytestmark = pytest.mark.integration


class Server:
    def __init__(self, mail_dir: Path, port: int) -> None:
        self.mail_dir, self.port = mail_dir, port

    async def send(self, to: str, timeout: float = 10.0) -> None:
        message = EmailMessage()
        message["From"], message["To"], message["Subject"] = "amt@civicflow.localhost", to, "Ihr Antrag"
        message.set_content("Guten Tag")
        await aiosmtplib.send(message, hostname="127.0.0.1", port=self.port, timeout=timeout)

    def stored(self) -> list[str]:
        return [path.read_text("utf-8") for path in sorted(self.mail_dir.glob("*.eml"))]


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    (port,) = free_ports(1)
    controller = start(tmp_path, "127.0.0.1", port)
    try:
        yield Server(tmp_path, port)
    finally:
        controller.stop()


async def test_a_recipient_refused_for_now_twice_then_accepted(server: Server) -> None:
    script(server.mail_dir, {"temp-then-ok@example.org": ["451", "451", "250"]})
    for _ in range(2):
        with pytest.raises(aiosmtplib.SMTPDataError) as refused:
            await server.send("temp-then-ok@example.org")
        assert (refused.value.code, refused.value.message) == (451, "4.3.0 Try again later (scripted)")
    await server.send("temp-then-ok@example.org")
    await server.send("temp-then-ok@example.org")  # the last answer repeats
    await server.send("anyone@example.org")  # not scripted: accepted
    assert len(server.stored()) == 3
    assert answered(server.mail_dir) == {"temp-then-ok@example.org": ["451", "451", "250", "250"]}


async def test_a_recipient_refused_for_good_at_data_and_at_rcpt(server: Server) -> None:
    script(server.mail_dir, {"gone@example.org": ["550"]})
    script(server.mail_dir, {"unknown@example.org": ["550@rcpt"]})  # merged with the first
    with pytest.raises(aiosmtplib.SMTPDataError) as at_data:
        await server.send("gone@example.org")
    assert (at_data.value.code, at_data.value.message) == (550, "5.1.1 Mailbox unavailable (scripted)")
    with pytest.raises(aiosmtplib.SMTPRecipientsRefused) as at_rcpt:
        await server.send("unknown@example.org")
    assert [refusal.code for refusal in at_rcpt.value.recipients] == [550]
    assert server.stored() == []
    assert answered(server.mail_dir) == {"gone@example.org": ["550"], "unknown@example.org": ["550"]}


async def test_a_changed_script_starts_that_recipients_answers_again(server: Server) -> None:
    script(server.mail_dir, {"changing@example.org": ["451"], "steady@example.org": ["451", "250"]})
    for address in ("changing@example.org", "steady@example.org"):
        with pytest.raises(aiosmtplib.SMTPDataError):
            await server.send(address)
    script(server.mail_dir, {"changing@example.org": ["250", "550"]})
    await server.send("changing@example.org")
    await server.send("steady@example.org")  # its second answer: its script did not change
    assert len(server.stored()) == 2


async def test_a_held_message_is_stored_and_accepted_after_the_hold(server: Server) -> None:
    script(server.mail_dir, {"slow@example.org": ["hold:1", "250"]})
    started = time.monotonic()
    await server.send("slow@example.org")
    assert time.monotonic() - started >= 1.0
    (stored,) = server.stored()
    assert "To: slow@example.org" in stored
    assert answered(server.mail_dir) == {"slow@example.org": ["250"]}
    assert holding(server.mail_dir) == {"slow@example.org"}


async def test_a_held_message_whose_client_leaves_is_not_stored(server: Server) -> None:
    script(server.mail_dir, {"slow@example.org": ["hold:60"]})
    with pytest.raises(aiosmtplib.SMTPTimeoutError):
        await server.send("slow@example.org", timeout=0.5)
    async with asyncio.timeout(10):
        while answered(server.mail_dir) != {"slow@example.org": ["disconnected"]}:
            await asyncio.sleep(0.05)
    assert server.stored() == []


def test_a_script_with_an_answer_the_server_does_not_know_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="no scripted answer"):
        script(tmp_path, {"typo@example.org": ["45l"]})
    assert not any(tmp_path.iterdir())
