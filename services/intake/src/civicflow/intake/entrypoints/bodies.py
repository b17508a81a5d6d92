"""Reading a request's body within bounds, the one way intake does it: refused as soon as it declares or grows
beyond its limit, and when it does not arrive in time (a client that trickles its body holds no worker long:
OWASP's "slow HTTP" advice). A refusal is a Problem: the API answers it as such, the pages with a page."""

import asyncio
import json
from typing import Any

from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.types import Message, Receive

from civicflow.shared.problems import Problem


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


async def read_json(request: Request, limit: int, seconds: float, what: str) -> Any:
    """A JSON body within bounds (read_body), parsed so that no input costs more than its size: numbers of a few
    digits, no NaN or Infinity, nesting at most MAX_DEPTH deep; a refusal is a Problem. `what` names the body in
    the 415 problem ("the submission")."""
    kind = media_type(request)
    if kind != "application/json" and not kind.endswith("+json"):
        raise Problem(415, "unsupported-media-type", "Unsupported media type", f"Send {what} as application/json.")
    body = await read_body(request, limit, seconds)
    try:
        payload = json.loads(body, parse_int=_bounded_int, parse_float=_bounded_float, parse_constant=_no_constant)
    except RecursionError as error:
        raise _too_deep() from error
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise Problem(
            400, "malformed-json", "Malformed JSON", f"The request body is not valid JSON (at byte {_position(error)})."
        ) from error
    except ValueError as error:  # a number beyond our bounds (_bounded_int, _bounded_float, _no_constant)
        raise Problem(400, "malformed-json", "Malformed JSON", str(error)) from error
    if _depth(payload) > MAX_DEPTH:
        raise _too_deep()
    return payload


# No form needs more: a submission is an object of objects a few levels deep, numbers of a few digits.
MAX_DEPTH = 16
MAX_NUMBER_CHARACTERS = 32


def _bounded_int(text: str) -> int:
    if len(text) > MAX_NUMBER_CHARACTERS:
        raise ValueError(f"A number in the request body has more than {MAX_NUMBER_CHARACTERS} digits.")
    return int(text)


def _bounded_float(text: str) -> float:
    if len(text) > MAX_NUMBER_CHARACTERS:
        raise ValueError(f"A number in the request body has more than {MAX_NUMBER_CHARACTERS} characters.")
    value = float(text)
    if value in (float("inf"), float("-inf")):
        raise ValueError("A number in the request body is too large.")
    return value


def _no_constant(name: str) -> None:
    raise ValueError("NaN and Infinity are not JSON numbers.")


def _depth(value: Any) -> int:
    """How deeply `value` nests, counted without recursion (so that no input can exhaust the stack)."""
    deepest, pending = 0, [(value, 1)]
    while pending:
        item, level = pending.pop()
        deepest = max(deepest, level)
        if level <= MAX_DEPTH and isinstance(item, dict | list):
            children = item.values() if isinstance(item, dict) else item
            pending.extend((child, level + 1) for child in children if isinstance(child, dict | list))
    return deepest


def _too_deep() -> Problem:
    return Problem(400, "malformed-json", "Malformed JSON", f"The request body nests deeper than {MAX_DEPTH} levels.")


def _position(error: Exception) -> int:
    return error.pos if isinstance(error, json.JSONDecodeError) else 0


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
