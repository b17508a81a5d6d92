"""A local SMTP server (aiosmtpd) that keeps every message it receives as an .eml file."""

import argparse
import asyncio
import time
import uuid
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session


class MaildirHandler:
    def __init__(self, mail_dir: Path) -> None:
        self.mail_dir = mail_dir

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:  # noqa: N802
        content = envelope.original_content or b""
        name = f"{time.time_ns()}-{uuid.uuid4().hex[:8]}.eml"
        tmp = self.mail_dir / f".{name}.tmp"
        tmp.write_bytes(content)
        tmp.replace(self.mail_dir / name)  # atomic: readers never see half a message
        return "250 Message accepted for delivery"


def serve(mail_dir: Path, host: str, port: int) -> None:
    mail_dir.mkdir(parents=True, exist_ok=True)
    controller = Controller(MaildirHandler(mail_dir), hostname=host, port=port)
    controller.start()
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
