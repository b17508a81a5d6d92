"""A field that failed, as the RFC 9457 problem and the page name it."""

from dataclasses import dataclass


@dataclass(frozen=True)
class FieldError:
    pointer: str  # a JSON Pointer (RFC 6901) into the request body
    detail: str  # in the citizen's language, never quoting the input
