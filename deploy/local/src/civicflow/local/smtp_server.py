"""A local SMTP server (aiosmtpd) that keeps every message it accepts as an .eml file, and answers the recipients a
test names as the test scripts it.

The script is `<mail dir>/.script.json`, read again whenever it changes (absent: every message is accepted):

    {"temp-then-ok@example.org": ["451", "451", "250"], "gone@example.org": ["550"], "slow@example.org": ["hold:20"]}

Each message to a scripted recipient takes that recipient's next answer, and once all are used the last again:
"250" accepts; a 4xx or 5xx code refuses the message at the end of DATA, or with "@rcpt" ("550@rcpt") the
recipient at RCPT TO; "hold:N" waits N seconds, then stores and accepts the message (a client that leaves
meanwhile has sent nothing: nothing is stored). What each scripted recipient was answered is appended to
`<mail dir>/.answers.jsonl`, one JSON object a line (tests/support/smtp_script.py reads it), and the recipients of
a message as its hold begins to `<mail dir>/.holding.jsonl` (a test that stops the client mid-transaction waits for
that, not for the client's own records, which come before its transaction does).
"""

import argparse
import asyncio
import json
import logging
import re
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from weakref import WeakKeyDictionary

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

logger = logging.getLogger(__name__)

SCRIPT_FILE = ".script.json"
ANSWERS_FILE = ".answers.jsonl"
HOLDING_FILE = ".holding.jsonl"
ACCEPTED = "250 Message accepted for delivery"
# What the answers log says of a held message whose client left before it was answered.
DISCONNECTED = "disconnected"
_ENTRY = re.compile(r"250|(?P<code>[45][0-9][0-9])(?P<at_rcpt>@rcpt)?|hold:(?P<hold>[0-9]+(?:\.[0-9]+)?)")


@dataclass(frozen=True)
class Answer:
    """One entry of a recipient's script."""

    code: int = 250
    at_rcpt: bool = False
    hold_seconds: float = 0.0

    @classmethod
    def parse(cls, entry: str) -> "Answer":
        found = _ENTRY.fullmatch(entry)
        if found is None:
            raise ValueError(f"{entry!r} is no scripted answer: give 250, a 4xx or 5xx code (550@rcpt), or hold:N")
        if found["hold"]:
            return cls(hold_seconds=float(found["hold"]))
        return cls(code=int(found["code"] or 250), at_rcpt=bool(found["at_rcpt"]))

    def reply(self) -> str:
        # Enhanced status codes as RFC 3463 names them: 4.3.0 "other mail system problem", 5.1.1 "bad mailbox".
        if self.code >= 500:
            return f"{self.code} 5.1.1 Mailbox unavailable (scripted)"
        if self.code >= 400:
            return f"{self.code} 4.3.0 Try again later (scripted)"
        return ACCEPTED


def parse_script(text: str) -> dict[str, tuple[Answer, ...]]:
    """Recipient (lower case) → answers (451 as a number will do); raises ValueError for a script that is none."""
    raw = json.loads(text)
    if not isinstance(raw, dict) or not all(isinstance(entries, list) for entries in raw.values()):
        raise ValueError("the script is a JSON object of recipient → list of answers")
    scripted = ((address.lower(), entries) for address, entries in raw.items() if entries)
    return {address: tuple(Answer.parse(str(entry)) for entry in entries) for address, entries in scripted}


class Script:
    """The answers scripted per recipient, and how many of each recipient's were used."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._version: tuple[int, int, int] | None = None
        self._answers: dict[str, tuple[Answer, ...]] = {}
        self._used: dict[str, int] = {}

    def next_answer(self, address: str) -> Answer | None:
        """The answer for the next message to `address`, or None for an unscripted recipient."""
        self._reload()
        answers = self._answers.get(address.lower())
        if not answers:
            return None
        used = self._used.get(address.lower(), 0)
        self._used[address.lower()] = used + 1
        return answers[min(used, len(answers) - 1)]

    def _reload(self) -> None:
        try:
            stat = self.path.stat()
            version: tuple[int, int, int] | None = (stat.st_mtime_ns, stat.st_size, stat.st_ino)
        except FileNotFoundError:
            version = None
        if version == self._version:
            return
        self._version = version
        try:
            answers = parse_script(self.path.read_text("utf-8")) if version else {}
        except (OSError, ValueError) as error:
            logger.error("%s is unusable (%s); answering as before", self.path, error)
            return
        # A recipient whose answers were rewritten starts them from the first; the others go on where they were.
        kept = self._used.items()
        self._used = {address: n for address, n in kept if answers.get(address) == self._answers.get(address)}
        self._answers = answers


class MaildirHandler:
    def __init__(self, mail_dir: Path) -> None:
        self.mail_dir = mail_dir
        self.script = Script(mail_dir / SCRIPT_FILE)
        # The scripted answers taken at RCPT TO, for the end of DATA of the same transaction.
        self._taken: WeakKeyDictionary[Envelope, list[tuple[str, Answer]]] = WeakKeyDictionary()

    async def handle_RCPT(  # noqa: N802 - aiosmtpd's hook name
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        answer = self.script.next_answer(address)
        if answer is not None and answer.at_rcpt:
            self._record([address], answer.reply())
            return answer.reply()
        envelope.rcpt_tos.append(address)
        if answer is not None:
            self._taken.setdefault(envelope, []).append((address, answer))
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:  # noqa: N802
        taken = self._taken.pop(envelope, [])
        scripted = [address for address, _ in taken]
        refusal = next((answer for _, answer in taken if answer.code >= 400), None)
        if refusal is not None:
            self._record(scripted, refusal.reply())
            return refusal.reply()
        hold = max((answer.hold_seconds for _, answer in taken), default=0.0)
        if hold and not await self._held(server, hold, scripted):
            return ACCEPTED  # the client left: nobody hears it, and nothing was sent
        self._store(envelope.original_content or b"")
        self._record(scripted, ACCEPTED)
        return ACCEPTED

    async def _held(self, server: SMTP, seconds: float, scripted: list[str]) -> bool:
        """Whether the client is still there after waiting `seconds`."""
        self._record(scripted, "holding", HOLDING_FILE)
        try:
            await asyncio.sleep(seconds)
        except asyncio.CancelledError:  # aiosmtpd cancels a session's handling when its client leaves
            self._record(scripted, DISCONNECTED)
            raise
        if server.transport is None or server.transport.is_closing():
            self._record(scripted, DISCONNECTED)
            return False
        return True

    def _store(self, content: bytes) -> None:
        name = f"{time.time_ns()}-{uuid.uuid4().hex[:8]}.eml"
        tmp = self.mail_dir / f".{name}.tmp"
        tmp.write_bytes(content)
        tmp.replace(self.mail_dir / name)  # atomic: readers never see half a message

    def _record(self, addresses: list[str], reply: str, file: str = ANSWERS_FILE) -> None:
        answer = reply if reply.isalpha() else reply[:3]
        lines = "".join(json.dumps({"to": address, "answer": answer}) + "\n" for address in addresses)
        with (self.mail_dir / file).open("a", encoding="utf-8") as log:
            log.write(lines)


def start(mail_dir: Path, host: str, port: int) -> Controller:
    """The server, answering in a thread of its own (aiosmtpd's Controller) until its `stop()`."""
    mail_dir.mkdir(parents=True, exist_ok=True)
    controller = Controller(MaildirHandler(mail_dir), hostname=host, port=port)
    controller.start()
    return controller


def serve(mail_dir: Path, host: str, port: int) -> None:
    controller = start(mail_dir, host, port)
    try:
        asyncio.run(_forever())
    finally:
        controller.stop()


async def _forever() -> Any:
    await asyncio.Event().wait()


def main() -> None:
    parser = argparse.ArgumentParser(description="CivicFlow local SMTP server storing .eml files")
    parser.add_argument("--mail-dir", type=Path, required=True)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=1025)
    args = parser.parse_args()
    serve(args.mail_dir, args.host, args.port)


if __name__ == "__main__":
    main()
