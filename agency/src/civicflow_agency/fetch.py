"""`civicflow-agency fetch`: an application's attachments (or one), fetched from CivicFlow, decrypted and checked
(civicflow_agency.attachments), each written to a file of its own, 0600, whole or not at all.

Which files go where (`targets`) is worked out before anything is fetched: a wrong reference or a wrong option is
a ValueError, answered in one line with nothing fetched."""

import argparse
import asyncio
import json
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import httpx

from civicflow_agency.attachments import AttachmentNotFetched, AttachmentRef, AttachmentSource, application_attachments
from civicflow_agency.handlers import write_atomically

FETCH_TIMEOUT_SECONDS: Final = 30
ONE_ATTACHMENT: Final = ("sha256", "media_type", "size", "out")


@dataclass(frozen=True)
class Target:
    ref: AttachmentRef
    path: Path


def targets(args: argparse.Namespace) -> list[Target]:
    """--application FILE with --out-dir DIR: each attachment it lists to DIR/<attachment id>.<ext>; or --attachment
    ID with its --sha256, --media-type, --size (as the application names them) to --out FILE."""
    if args.application is not None:
        if args.out_dir is None or any(getattr(args, name) is not None for name in ONE_ATTACHMENT):
            raise ValueError("--application takes --out-dir DIR, and none of --sha256, --media-type, --size, --out")
        try:
            document = json.loads(args.application.read_bytes())
        except ValueError:
            raise ValueError(f"{args.application}: not JSON") from None
        try:
            refs = application_attachments(document)
        except ValueError as error:
            raise ValueError(f"{args.application}: {error}") from None
        return [Target(ref, args.out_dir / ref.file_name) for ref in refs]
    if args.out is None or args.out_dir is not None:
        raise ValueError("--attachment takes --out FILE (and --sha256, --media-type, --size)")
    ref = {"attachment_id": args.attachment, "sha256": args.sha256, "media_type": args.media_type, "size": args.size}
    return [Target(AttachmentRef.checked(ref), args.out)]


@dataclass(frozen=True)
class Fetch:
    """What `fetch` needs, read and checked before anything is fetched."""

    source: AttachmentSource
    targets: Sequence[Target]

    async def run(self) -> int:
        """Each target in turn, each failure reported on its own line and the others still fetched; 0 when all were
        written, 1 otherwise."""
        if not self.targets:
            print("civicflow-agency: the application lists no attachments", file=sys.stderr)
        failed = 0
        async with httpx.AsyncClient(timeout=FETCH_TIMEOUT_SECONDS) as client:
            for target in self.targets:
                try:
                    content = await self.source.fetch(client, target.ref)
                    await asyncio.to_thread(write_atomically, target.path, content)
                except AttachmentNotFetched as error:
                    failed += 1
                    print(f"civicflow-agency: {error}", file=sys.stderr)
                except OSError as error:
                    failed += 1
                    print(f"civicflow-agency: cannot write {target.path}: {error.strerror}", file=sys.stderr)
                else:
                    print(target.path)
        return 1 if failed else 0
