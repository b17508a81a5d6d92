"""`listen --attachments-from`: an application's attachments fetched before the application is handed over, and
written by the dir handler beside it, `<submission-id>.attachment.<attachment-id>.<ext>`, before its JSON: once the
JSON is there, so are its files.

What cannot be fetched *yet* (CivicFlow answers 503, 502, 504, 429, or cannot be reached) is a HandlerFailed: the
inbox tries the whole application again with its backoff, nothing behind it handed over meanwhile. What CivicFlow
refuses (401, 404, 500 for a damaged file), or what is not the file the application names (altered, too large, not
to the agency's keys), would be refused again and would hold up every application behind it: it is reported by
attachment id, and the application is handed over without that file. The application's JSON still lists it;
`civicflow-agency fetch` fetches it later."""

import asyncio
import hashlib
import logging
from collections.abc import Awaitable, Callable
from pathlib import Path

from civicflow_agency.attachments import AttachmentNotFetched, AttachmentRef, application_attachments
from civicflow_agency.handlers import DirectoryHandler, write_atomically
from civicflow_agency.inbox import Handler, HandlerFailed
from civicflow_agency.records import Application
from civicflow_agency.wire import KIND_APPLICATION

log = logging.getLogger(__name__)

FetchAttachment = Callable[[AttachmentRef], Awaitable[bytes]]


class WithAttachments:
    """The dir handler, an application's attachments written before its JSON; an answer handed over as it is."""

    def __init__(self, handler: Handler, fetch: FetchAttachment) -> None:
        if not isinstance(handler, DirectoryHandler):
            raise ValueError("--attachments-from needs --handler dir:PATH (the files are written beside the JSON)")
        self.handler, self.fetch = handler, fetch

    async def handle(self, application: Application) -> None:
        if application.kind == KIND_APPLICATION:
            await save_attachments(application, self.handler.directory, self.fetch)
        await self.handler.handle(application)


def beside(directory: Path, submission_id: str, ref: AttachmentRef) -> Path:
    return directory / f"{submission_id}.attachment.{ref.file_name}"


async def save_attachments(application: Application, directory: Path, fetch: FetchAttachment) -> None:
    """Each attachment the application lists, fetched and written beside it; one already there whole (a retry, a
    redelivery) is not fetched again."""
    try:
        refs = application_attachments(application.document())
    except ValueError as error:  # from CivicFlow itself: reported, and the application still handed over
        log.error("submission %s: %s; handed over without its attachments", application.submission_id, error)
        return
    for ref in refs:
        path = beside(directory, application.submission_id, ref)
        if await asyncio.to_thread(_whole, path, ref.sha256):
            continue
        try:
            content = await fetch(ref)
        except AttachmentNotFetched as error:
            if error.retryable:
                raise HandlerFailed(str(error)) from error
            log.error("submission %s: %s; handed over without it", application.submission_id, error)
            continue
        await _write(path, content)


def _whole(path: Path, sha256: str) -> bool:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest() == sha256
    except OSError:  # not there (or not readable: then writing it fails, and says why)
        return False


async def _write(path: Path, content: bytes) -> None:
    try:
        await asyncio.to_thread(write_atomically, path, content)
    except OSError as error:
        raise HandlerFailed(f"cannot write to {path.parent}: {error.strerror}") from error
