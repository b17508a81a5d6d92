"""Telling the local SMTP server (civicflow.local.smtp_server) how to answer chosen recipients, and reading what it
answered them: e.g. `script(stack.mail_dir, {"temp-then-ok@example.org": ["451", "451", "250"]})`."""

import json
import uuid
from pathlib import Path

from civicflow.local.smtp_server import ANSWERS_FILE, HOLDING_FILE, SCRIPT_FILE, Answer


def script(mail_dir: Path, answers: dict[str, list[str]]) -> None:
    """Adds these recipients' answers to the script, replacing theirs if they had any (an empty list removes a
    recipient's); the other recipients' stay as they are. Written at once, so the server never reads half a script."""
    for entries in answers.values():
        for entry in entries:
            Answer.parse(entry)  # a typo fails here, not as a line in the server's log
    path = mail_dir / SCRIPT_FILE
    current: dict[str, list[str]] = json.loads(path.read_text("utf-8")) if path.exists() else {}
    merged = {address: entries for address, entries in (current | answers).items() if entries}
    mail_dir.mkdir(parents=True, exist_ok=True)
    tmp = mail_dir / f"{SCRIPT_FILE}.{uuid.uuid4().hex}.tmp"
    tmp.write_text(json.dumps(merged, indent=2), "utf-8")
    tmp.replace(path)


def answered(mail_dir: Path) -> dict[str, list[str]]:
    """What the server answered each scripted recipient so far, in order: "250", "451", "550" …, or "disconnected"
    for a held message whose client left before the answer."""
    return _records(mail_dir / ANSWERS_FILE)


def holding(mail_dir: Path) -> set[str]:
    """The scripted recipients of every message whose hold has begun (its client waits for the answer)."""
    return set(_records(mail_dir / HOLDING_FILE))


def _records(path: Path) -> dict[str, list[str]]:
    lines = path.read_text("utf-8").splitlines() if path.exists() else []
    found: dict[str, list[str]] = {}
    for line in lines:
        record = json.loads(line)
        found.setdefault(record["to"], []).append(record["answer"])
    return found
