"""Reading a request's body within bounds, the one way intake does it: refused as soon as it declares or grows
beyond its limit, and when it does not arrive in time (a client that trickles its body holds no worker long:
OWASP's "slow HTTP" advice). A refusal is a Problem: the API answers it as such, the pages with a page."""

import asyncio

from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.types import Message, Receive

from civicflow.intake.entrypoints.problems import Problem


async def read_body(request: Request, limit: int, seconds: float) -> bytes:
    _check_declared(request, limit)
    body = bytearray()
    try:
        async with asyncio.timeout(seconds):
            async for chunk in request.stream():
                body.extend(chunk)
                if len(body) > limit:
                    raise _too_large(limit)
    except TimeoutError as error:
        raise _too_slow(seconds) from error
    return bytes(body)


async def read_form(
    request: Request, limit: int, seconds: float, *, max_files: int, max_fields: int, max_part_size: int
) -> FormData:
    """A form post (urlencoded or multipart), parsed by python-multipart as it arrives; files spool to disk.
    The caller closes the form (`await form.close()`)."""
    _check_declared(request, limit)
    limited = Request(request.scope, _limited(request.receive, limit))
    try:
        async with asyncio.timeout(seconds):
            return await limited.form(max_files=max_files, max_fields=max_fields, max_part_size=max_part_size)
    except TimeoutError as error:
        raise _too_slow(seconds) from error
    except HTTPException as error:  # Starlette's answer to a malformed body, too many parts or a too large field
        # Starlette's own words (e.g. "Too many files. Maximum number of files is 1."), which quote no input.
        raise Problem(400, "malformed-body", "Malformed body", str(error.detail)[:200]) from error


def media_type(request: Request) -> str:
    return request.headers.get("content-type", "").split(";")[0].strip().lower()


def _check_declared(request: Request, limit: int) -> None:
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise _too_large(limit)


def _limited(receive: Receive, limit: int) -> Receive:
    """`receive`, refusing a body that grows beyond `limit` while it arrives (a chunked one declares no length)."""
    received = 0

    async def limited() -> Message:
        nonlocal received
        message = await receive()
        received += len(message.get("body", b""))
        if received > limit:
            raise _too_large(limit)
        return message

    return limited


def _too_large(limit: int) -> Problem:
    return Problem(413, "payload-too-large", "Payload too large", f"The request body exceeds {limit} bytes.")


def _too_slow(seconds: float) -> Problem:
    return Problem(408, "request-timeout", "Request timeout", f"The body did not arrive within {seconds:g} s.")
