"""What the listener reads from the agency topic, and what it hands to the agency's system."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any


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
    """A decrypted application: its JSON and the record's clear headers."""

    submission_id: str
    content: Any
    headers: Mapping[str, str]

    def document(self) -> dict[str, Any]:
        """What every handler delivers: one JSON document per application."""
        return {"submission_id": self.submission_id, "headers": dict(self.headers), "application": self.content}
