"""Attachments to an application: PDF, PNG or JPEG, within the service's limits (catalogue.AttachmentRules).

The type is read from the content's first bytes; a file's name and the type its upload declares are the client's
word, and when either says another type than the content the file is refused, never renamed. Accepted bytes are
stored once and referred to, from submissions and events, by an AttachmentRef (id and SHA-256), never carried."""

import hashlib
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Annotated, Literal
from uuid import UUID

from pydantic import Field

from civicflow.intake.domain.catalogue import AttachmentRules, MediaType
from civicflow.shared.events.common import AttachmentRef

# The magic numbers: PDF's header (ISO 32000-1 §7.5.2), PNG's signature (ISO/IEC 15948 §5.2), JPEG's SOI marker
# followed by the next marker's FF (ITU-T T.81 Annex B). Only at offset 0: a reader that finds "%PDF-" further in
# also opens files that are something else first (polyglots).
SIGNATURES: tuple[tuple[bytes, MediaType], ...] = (
    (b"%PDF-", "application/pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
)
SNIFF_BYTES = max(len(signature) for signature, _ in SIGNATURES)
EXTENSIONS: dict[str, MediaType] = {
    "pdf": "application/pdf",
    "png": "image/png",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "jpe": "image/jpeg",
    "jfif": "image/jpeg",
}
DECLARED: dict[str, MediaType] = {
    "application/pdf": "application/pdf",
    "application/x-pdf": "application/pdf",
    "image/png": "image/png",
    "image/jpeg": "image/jpeg",
    "image/jpg": "image/jpeg",
    "image/pjpeg": "image/jpeg",
}
# What a client declares when it does not know (RFC 2046 §4.5.1), or declares nothing.
UNDECLARED = frozenset({"", "application/octet-stream", "binary/octet-stream"})
# Another type altogether, as a declared image/gif or text/plain says.
OTHER: Literal["other"] = "other"
MAX_NAME = 120
# A kept extension longer than this is not one (e.g. "Scan 03.05.2026 Vertrag mit Anhang"): cut as any text.
MAX_EXTENSION = 10
# As civicflow.shared.events.common.plain_text: controls, format characters (bidi overrides, zero-width spaces),
# surrogates, private use and unassigned code points. A display name drops them instead of being refused for them.
_INVISIBLE = frozenset({"Cc", "Cf", "Cs", "Co", "Cn"})
_PATH = re.compile(r"[/\\]")

Sha256 = Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]


class Refusal(StrEnum):
    NO_ATTACHMENTS = "no_attachments"
    EMPTY = "empty"
    TOO_LARGE = "too_large"
    UNKNOWN_TYPE = "unknown_type"
    MISMATCH = "mismatch"
    NOT_ACCEPTED = "not_accepted"


@dataclass(frozen=True)
class CheckedUpload:
    filename: str = field(repr=False)  # the citizen's own words: kept, shown to them and the agency, never logged
    media_type: MediaType
    sha256: str
    data: bytes = field(repr=False)

    @property
    def size(self) -> int:
        return len(self.data)


@dataclass(frozen=True)
class AttachmentRefused:
    reason: Refusal
    filename: str = field(repr=False)
    found: MediaType | None = None
    claimed: MediaType | Literal["other"] | None = None


@dataclass(frozen=True)
class StoredAttachment:
    ref: AttachmentRef
    service_id: str
    filename: str = field(repr=False)
    uploaded_at: datetime
    submission_id: UUID | None = None  # the submission it is bound to; None while pending

    @property
    def state(self) -> Literal["pending", "bound"]:
        return "pending" if self.submission_id is None else "bound"


class AttachmentsNotBindable(Exception):
    """These attachments are not kept (never uploaded, or forgotten unbound) or belong to another submission."""

    def __init__(self, attachment_ids: list[UUID]) -> None:
        super().__init__(f"{len(attachment_ids)} attachment(s) cannot be bound")
        self.attachment_ids = attachment_ids


class AttachmentDamaged(Exception):
    """The stored bytes no longer hash to the SHA-256 recorded when they were accepted."""


def sniff(head: bytes) -> MediaType | None:
    return next((media_type for signature, media_type in SIGNATURES if head.startswith(signature)), None)


def claimed_by_name(filename: str) -> MediaType | None:
    """The type a name's extension stands for, if it is one of ours; any other name claims nothing."""
    stem, dot, extension = filename.rpartition(".")
    return EXTENSIONS.get(extension.lower()) if dot and stem else None


def claimed_by_header(content_type: str | None) -> MediaType | Literal["other"] | None:
    declared = (content_type or "").split(";")[0].strip().lower()
    return None if declared in UNDECLARED else DECLARED.get(declared, OTHER)


def display_name(filename: str | None) -> str:
    """The name as it may be shown: NFC, its last path part, without invisible characters, at most MAX_NAME
    characters (a longer one keeps its extension); "" when nothing visible is left."""
    name = "".join(c for c in unicodedata.normalize("NFC", filename or "") if unicodedata.category(c) not in _INVISIBLE)
    name = _PATH.split(name)[-1].strip()
    if not name.strip("."):
        return ""
    if len(name) <= MAX_NAME:
        return name
    stem, dot, extension = name.rpartition(".")
    kept = dot + extension if dot and stem and len(extension) <= MAX_EXTENSION else ""
    return name[: MAX_NAME - len(kept) - 1].rstrip() + "…" + kept


def takes_attachments(rules: AttachmentRules) -> bool:
    return rules.max_files > 0 and bool(rules.accepted) and rules.max_bytes_each > 0


def check_upload(
    rules: AttachmentRules, filename: str | None, content_type: str | None, data: bytes
) -> CheckedUpload | AttachmentRefused:
    name = display_name(filename)
    if not takes_attachments(rules):
        return AttachmentRefused(Refusal.NO_ATTACHMENTS, name)
    if not data:
        return AttachmentRefused(Refusal.EMPTY, name)
    if len(data) > rules.max_bytes_each:
        return AttachmentRefused(Refusal.TOO_LARGE, name)
    found = sniff(data[:SNIFF_BYTES])
    if found is None:
        return AttachmentRefused(Refusal.UNKNOWN_TYPE, name)
    claims = (claimed_by_name(name), claimed_by_header(content_type))
    claimed = next((claim for claim in claims if claim is not None and claim != found), None)
    if claimed is not None:
        return AttachmentRefused(Refusal.MISMATCH, name, found, claimed)
    if found not in rules.accepted:
        return AttachmentRefused(Refusal.NOT_ACCEPTED, name, found)
    return CheckedUpload(name, found, hashlib.sha256(data).hexdigest(), data)
