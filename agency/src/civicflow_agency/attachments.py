"""Fetching an application's attachments from CivicFlow (wire.ATTACHMENT_PATH): by the reference the application
lists, with a bearer token the agency signs for that one file, the answer a JWE to the agency's key, decrypted and
checked against the reference's SHA-256 (wire.open_attachment).

Each way a fetch can fail is its own exception, and each says whether trying again can help (`retryable`): CivicFlow
refused it (401, 404: the token or the id is wrong, again will not help) or could not serve it yet (503, the
network: again, later). Messages name the attachment id and the reason, never the file's content."""

import asyncio
import json
import re
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, ClassVar, Final
from urllib.parse import urlsplit

import httpx
from joserfc.jwk import RSAKey

from civicflow_agency import wire

# The media types CivicFlow accepts for an attachment, and the extension its file gets here.
EXTENSIONS: Final = {"application/pdf": "pdf", "image/png": "png", "image/jpeg": "jpg"}
SHA256: Final = re.compile(r"^[0-9a-f]{64}$")
# A JWE in compact serialization is its ciphertext in base64url (4/3 of the file; A256GCM adds no padding), plus its
# protected header, the content key wrapped with RSA 4096 (683 characters), IV and tag: well under this margin.
JWE_MARGIN_BYTES: Final = 16 * 1024
# Answers worth trying again (RFC 9110 15.5.9, 15.6.3-5; RFC 6585 4; RFC 8470 5.2): a timeout, too many requests,
# too early, a gateway's failure, and 503, which intake answers whenever it cannot serve *yet* (registry not read,
# store unreachable). Not 500: intake answers it for a stored file that is damaged, which trying again, from every
# application behind it in the listener, would not mend.
RETRYABLE: Final = frozenset({408, 425, 429, 502, 503, 504})
PROBLEM_MAX_BYTES: Final = 4096
LOOPBACK: Final = frozenset({"127.0.0.1", "::1", "localhost"})


@dataclass(frozen=True)
class AttachmentRef:
    """One entry of an application's `attachments`, checked: CivicFlow's AttachmentRef, as the kit trusts it."""

    attachment_id: str
    sha256: str
    media_type: str
    size: int

    @classmethod
    def checked(cls, ref: Mapping[str, Any]) -> "AttachmentRef":
        """The reference, or a ValueError saying which of its fields is wrong (before anything is fetched)."""
        if not isinstance(ref, Mapping):
            raise ValueError("an attachment reference is a JSON object")
        try:
            attachment_id = str(uuid.UUID(ref.get("attachment_id")))
        except (TypeError, ValueError, AttributeError):
            raise ValueError(f"attachment id {ref.get('attachment_id')!r} is not a UUID") from None
        sha256, media_type, size = ref.get("sha256"), ref.get("media_type"), ref.get("size")
        if not isinstance(sha256, str) or not SHA256.match(sha256):
            raise ValueError(f"attachment {attachment_id}: sha256 is not 64 lower-case hex digits")
        if media_type not in EXTENSIONS:
            raise ValueError(f"attachment {attachment_id}: media type is one of {', '.join(EXTENSIONS)}")
        if not isinstance(size, int) or isinstance(size, bool) or size <= 0:
            raise ValueError(f"attachment {attachment_id}: size is a whole number of bytes above 0")
        return cls(attachment_id, sha256, media_type, size)

    @property
    def file_name(self) -> str:
        return f"{self.attachment_id}.{EXTENSIONS[self.media_type]}"

    @property
    def max_response_bytes(self) -> int:
        return -(-self.size * 4 // 3) + JWE_MARGIN_BYTES


class AttachmentNotFetched(Exception):
    """The attachment was not fetched; `retryable` says whether trying again later can help."""

    retryable: ClassVar[bool] = False

    def __init__(self, attachment_id: str, reason: str) -> None:
        super().__init__(f"attachment {attachment_id}: {reason}")
        self.attachment_id = attachment_id


class AttachmentRefused(AttachmentNotFetched):
    """CivicFlow will not serve it: 401 (the token), 404 (no such attachment for this agency), 409 (no encryption
    key registered for the agency), 500 (the stored file is damaged, or CivicFlow failed), any other status but
    RETRYABLE."""

    def __init__(self, attachment_id: str, status: int, detail: str | None) -> None:
        said = f"HTTP {status}: {detail}" if detail else f"HTTP {status}"
        super().__init__(attachment_id, f"CivicFlow refused it ({said})")
        self.status = status


class AttachmentUnavailable(AttachmentNotFetched):
    """CivicFlow could not serve it now (503 while it is not ready yet, 502, 504, 429, 408, 425) or could not be
    reached."""

    retryable = True

    def __init__(self, attachment_id: str, reason: str, retry_after: float | None = None) -> None:
        said = f"{reason}, Retry-After {retry_after:.0f} s" if retry_after is not None else reason
        super().__init__(attachment_id, f"CivicFlow cannot serve it now ({said})")
        self.retry_after = retry_after


class AttachmentTooLarge(AttachmentNotFetched):
    """The answer is larger than a JWE of a file of the reference's size can be: refused before it is all read."""


class AttachmentUnreadable(AttachmentNotFetched):
    """The answer is not a JWE to the agency's keys, or the file in it is not the one the reference names."""


def application_attachments(document: Any) -> list[AttachmentRef]:
    """The attachments an application lists, checked: its JSON as a handler delivers it (`{"kind": "application",
    "application": {…}}`, the dir handler's file) or the application's JSON alone."""
    if not isinstance(document, dict):
        raise ValueError("not an application's JSON (not an object)")
    if document.get("kind", wire.KIND_APPLICATION) != wire.KIND_APPLICATION:
        raise ValueError(f"not an application (a message of kind {str(document['kind'])[:40]!r})")
    application = document.get("application", document)
    # CivicFlow writes the list always, empty when there are none: a document without one is something else.
    refs = application.get("attachments") if isinstance(application, dict) else None
    if not isinstance(refs, list):
        raise ValueError("not an application's JSON (no list of attachments)")
    return [AttachmentRef.checked(ref) for ref in refs]


def check_endpoint(base_url: str, agency_id: str) -> None:
    """CivicFlow's base URL and the agency id, as attachment_url needs them; a ValueError before any request."""
    url = urlsplit(base_url)
    # The token is a bearer token: over plain HTTP only to CivicFlow's local stack on this machine.
    if not (url.scheme == "https" or (url.scheme == "http" and url.hostname in LOOPBACK)) or not url.hostname:
        raise ValueError(f"CivicFlow's URL {base_url!r}: https://HOST (http:// only to 127.0.0.1 or localhost)")
    if not wire.AGENCY_ID.match(agency_id):
        raise ValueError(f"agency id {agency_id!r}: lower-case letters, digits and dashes")


def attachment_url(base_url: str, agency_id: str, attachment_id: str) -> str:
    check_endpoint(base_url, agency_id)
    return base_url.rstrip("/") + wire.ATTACHMENT_PATH.format(agency_id=agency_id, attachment_id=attachment_id)


@dataclass(frozen=True)
class AttachmentSource:
    """Where the agency fetches its attachments, and as whom: CivicFlow's base URL, the agency id, the signing key
    its tokens are signed with and the private keys the files are decrypted with; the URL and id checked here."""

    base_url: str
    agency_id: str
    signing_key: RSAKey = field(repr=False)
    private_keys: Sequence[RSAKey] = field(repr=False)

    def __post_init__(self) -> None:
        check_endpoint(self.base_url, self.agency_id)

    async def fetch(self, client: httpx.AsyncClient, ref: AttachmentRef) -> bytes:
        return await fetch_attachment(
            client, self.base_url, self.agency_id, asdict(ref), self.signing_key, self.private_keys
        )


async def fetch_attachment(
    client: httpx.AsyncClient,
    base_url: str,
    agency_id: str,
    ref: Mapping[str, Any],
    signing_key: RSAKey,
    private_keys: Sequence[RSAKey],
    clock: Callable[[], float] = time.time,
) -> bytes:
    """The attachment's bytes, decrypted and checked; a ValueError for a wrong reference (nothing fetched), an
    AttachmentNotFetched for everything else."""
    checked = AttachmentRef.checked(ref)
    url = attachment_url(base_url, agency_id, checked.attachment_id)
    token = wire.access_token(
        agency_id=agency_id, attachment_id=checked.attachment_id, key=signing_key, now=int(clock())
    )
    body = await _download(client, url, token, checked)
    try:  # RSA and AES-GCM over a file of megabytes: off the event loop
        return await asyncio.to_thread(wire.open_attachment, body, private_keys, checked.sha256)
    except wire.NotForThisAgency as error:
        raise AttachmentUnreadable(checked.attachment_id, f"not a JWE to the agency's keys ({error})") from error
    except wire.AttachmentAltered as error:
        reason = "its SHA-256 is not the one the application names (altered)"
        raise AttachmentUnreadable(checked.attachment_id, reason) from error


async def _download(client: httpx.AsyncClient, url: str, token: str, ref: AttachmentRef) -> bytes:
    # identity: what is counted below is what is kept, with no decompression in between to multiply it.
    headers = {"Authorization": f"Bearer {token}", "Accept": wire.MEDIA_TYPE, "Accept-Encoding": "identity"}
    limit = ref.max_response_bytes
    try:
        async with client.stream("GET", url, headers=headers) as response:
            await _check_status(response, ref.attachment_id)
            declared = response.headers.get("Content-Length", "")
            if declared.isdigit() and int(declared) > limit:
                raise AttachmentTooLarge(ref.attachment_id, f"{declared} bytes announced, at most {limit} expected")
            body = bytearray()
            async for chunk in response.aiter_bytes():
                body += chunk
                if len(body) > limit:
                    raise AttachmentTooLarge(ref.attachment_id, f"more than the {limit} bytes expected")
            return bytes(body)
    except httpx.TransportError as error:  # refused connection, timeout, a connection closed mid-answer
        raise AttachmentUnavailable(ref.attachment_id, type(error).__name__) from error


async def _check_status(response: httpx.Response, attachment_id: str) -> None:
    status = response.status_code
    if status == httpx.codes.OK:
        return
    if status in RETRYABLE:
        raise AttachmentUnavailable(attachment_id, f"HTTP {status}", _retry_after(response))
    raise AttachmentRefused(attachment_id, status, await _problem_detail(response))


def _retry_after(response: httpx.Response) -> float | None:
    """Retry-After in seconds (RFC 9110 10.2.3); an HTTP date is left to the caller's own backoff."""
    value = response.headers.get("Retry-After", "").strip()
    return float(value) if value.isdigit() else None


async def _problem_detail(response: httpx.Response) -> str | None:
    """The `detail` (or `title`) of an RFC 9457 problem, CivicFlow's words on why, read up to PROBLEM_MAX_BYTES."""
    body = bytearray()
    async for chunk in response.aiter_bytes():
        body += chunk
        if len(body) >= PROBLEM_MAX_BYTES:
            break
    try:
        problem = json.loads(body)
    except ValueError:
        return None
    said = (problem.get("detail") or problem.get("title")) if isinstance(problem, dict) else None
    return "".join(c for c in said if c.isprintable())[:200] if isinstance(said, str) else None
