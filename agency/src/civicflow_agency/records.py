"""What the listener reads from the agency topic, and what it hands to the agency's system."""

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from civicflow_agency.wire import KIND_APPLICATION, KIND_INFORMATION

# The kinds of message the submissions topic carries (wire.HEADER_MESSAGE_KIND).
KINDS = (KIND_APPLICATION, KIND_INFORMATION)


class IncompleteMessage(Exception):
    """Decrypted, but without what its kind needs (an answer without its event id); the message names no content."""


@dataclass(frozen=True)
class Record:
    """One record of `agency.<agency-id>.submissions`, as fetched; the value still encrypted."""

    topic: str
    partition: int
    offset: int
    key: bytes | None
    value: bytes | None
    headers: Sequence[tuple[str, bytes]] = ()

    def clear_headers(self) -> dict[str, str]:
        """The headers CivicFlow sends in clear (civicflow_agency.wire): routing metadata, nothing personal."""
        return {name: value.decode("utf-8", errors="replace") for name, value in self.headers if value is not None}


@dataclass(frozen=True)
class Application:
    """A decrypted message for the agency: an application, or (`kind` information) the citizen's answer to the
    agency's request for information about one; its JSON and the record's clear headers."""

    submission_id: str
    content: Any
    headers: Mapping[str, str]
    kind: str = KIND_APPLICATION
    # An answer's own id (its JSON's event_id): one submission may get several answers, each handed over once.
    event_id: str | None = None

    @classmethod
    def opened(cls, submission_id: str, content: Any, headers: Mapping[str, str], kind: str) -> "Application":
        """The message as decrypted; IncompleteMessage if it is an answer without a UUID event_id."""
        if kind == KIND_APPLICATION:
            return cls(submission_id, content, headers)
        event_id = content.get("event_id") if isinstance(content, dict) else None
        try:
            canonical = str(uuid.UUID(event_id)) if isinstance(event_id, str) else None
        except ValueError:
            canonical = None
        if canonical is None:
            raise IncompleteMessage(f"{kind} without a UUID event_id")
        return cls(submission_id, content, headers, kind, canonical)

    @property
    def handled_id(self) -> str:
        """What the listener remembers once it is handed over, and the dir handler's file name: the submission id
        for an application (as the listener always has, so a state directory from before answers stays valid),
        `<submission id>.information.<event id>` for an answer."""
        if self.event_id is None:
            return self.submission_id
        return f"{self.submission_id}.{self.kind}.{self.event_id}"

    def document(self) -> dict[str, Any]:
        """What every handler delivers: one JSON document per message, its content under its kind's name
        (`application` or `information`)."""
        document: dict[str, Any] = {"submission_id": self.submission_id, "kind": self.kind}
        document |= {"headers": dict(self.headers), self.kind: self.content}
        return document
