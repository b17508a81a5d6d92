"""Where an application, or the citizen's answer to a request for information, goes: `print` (a JSON line on
stdout), `dir:PATH` (a file per message) or `webhook:URL` (a signed POST to the agency's system). Each delivers
Application.document(), which names the message's kind."""

import asyncio
import json
import os
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Final

import httpx

from civicflow_agency.inbox import Handler, HandlerFailed
from civicflow_agency.records import Application
from civicflow_agency.signature import sign

SUBMISSION_HEADER: Final = "CivicFlow-Submission-Id"
# `application` or `information` (wire.KIND_*), so that the agency's system can route before parsing the body.
KIND_HEADER: Final = "X-CivicFlow-Kind"


def _json(document: Any) -> bytes:
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode()


class PrintHandler:
    async def handle(self, application: Application) -> None:
        sys.stdout.write(_json(application.document()).decode() + "\n")
        sys.stdout.flush()


class DirectoryHandler:
    """`<submission-id>.json` for an application, `<submission-id>.information.<event-id>.json` for an answer
    (Application.handled_id), in `directory`, mode 0600, appearing whole or not at all."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    async def handle(self, application: Application) -> None:
        try:
            path, content = self.directory / f"{application.handled_id}.json", _json(application.document())
            await asyncio.to_thread(write_atomically, path, content)
        except OSError as error:
            raise HandlerFailed(f"cannot write to {self.directory}: {error.strerror}") from error


def write_atomically(path: Path, content: bytes) -> None:
    """A temporary file in the same directory (mkstemp makes it 0600), flushed to disk, then renamed over `path`:
    a reader sees the old file or the whole new one, never part of it (rename(2) is atomic on one file system)."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(descriptor, "wb") as file:
            file.write(content)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


class WebhookHandler:
    """POSTs the document signed with each secret (civicflow_agency.signature); any 2xx is success."""

    def __init__(
        self, url: str, secrets: Sequence[str], client: httpx.AsyncClient, clock: Callable[[], float] = time.time
    ) -> None:
        self.url, self.secrets, self.client, self.clock = url, list(secrets), client, clock

    async def handle(self, application: Application) -> None:
        body = _json(application.document())
        headers = sign(body, self.secrets, int(self.clock())) | {
            "Content-Type": "application/json",
            SUBMISSION_HEADER: application.submission_id,
            KIND_HEADER: application.kind,
        }
        try:
            response = await self.client.post(self.url, content=body, headers=headers)
        except httpx.HTTPError as error:
            raise HandlerFailed(f"webhook unreachable: {type(error).__name__}") from error
        if not response.is_success:
            raise HandlerFailed(f"webhook answered HTTP {response.status_code}")


def handler_from_spec(spec: str, secrets: Sequence[str], client: httpx.AsyncClient) -> Handler:
    """`print`, `dir:PATH` or `webhook:URL`, as --handler takes it."""
    kind, _, target = spec.partition(":")
    if kind == "print" and not target:
        return PrintHandler()
    if kind == "dir" and target:
        return DirectoryHandler(Path(target))
    if kind == "webhook" and target.startswith(("http://", "https://")):
        if not 1 <= len(secrets) <= 2:
            raise ValueError("a webhook needs --webhook-secret-file with one or two secrets (current, previous)")
        return WebhookHandler(target, secrets, client)
    raise ValueError(f"--handler {spec!r}: expected print, dir:PATH or webhook:URL")
