"""Reading an HTML form post with the API's limits: a declared, bounded size, a deadline for slow clients, and
at most so many fields and files (python-multipart, through Starlette)."""

import asyncio

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.types import Message

BODY_TIMEOUT_SECONDS = 10
MAX_FIELDS = 120
MAX_FIELD_BYTES = 64 * 1024


class PostRefused(Exception):
    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


async def form_of(request: Request, limit: int, max_files: int = 0) -> FormData:
    """The posted form, read whole (at most `limit` bytes) before it is parsed."""
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media_type not in ("application/x-www-form-urlencoded", "multipart/form-data"):
        raise PostRefused(415, "unsupported_media_type")
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise PostRefused(413, "too_large")
    body = bytearray()
    try:
        async with asyncio.timeout(BODY_TIMEOUT_SECONDS):
            async for chunk in request.stream():
                body.extend(chunk)
                if len(body) > limit:
                    raise PostRefused(413, "too_large")
    except TimeoutError as error:
        raise PostRefused(408, "timeout") from error
    replayed = Request(request.scope, receive=_replay(bytes(body)))
    try:
        return await replayed.form(max_files=max_files, max_fields=MAX_FIELDS, max_part_size=MAX_FIELD_BYTES)
    except Exception as error:
        raise PostRefused(400, "malformed") from error


def _replay(body: bytes):  # type: ignore[no-untyped-def]
    sent = False

    async def receive() -> Message:
        nonlocal sent
        if sent:
            return {"type": "http.disconnect"}
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return receive
