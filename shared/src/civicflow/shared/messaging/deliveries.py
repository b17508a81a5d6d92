"""A Kafka record as a consumer handles it: where it first came from, and how often it was tried before.

A record that failed for a passing reason is copied to a retry topic with headers saying which attempt comes
next, when it is due, and where it was first read. Headers are input like any other: a missing or garbled
one is read as "first attempt, due now", never as a reason to stop.
"""

import time
from dataclasses import dataclass, field

from aiokafka.structs import ConsumerRecord

ATTEMPT = "civicflow-attempt"
DUE = "civicflow-due"  # epoch milliseconds
SOURCE_TOPIC = "civicflow-source-topic"
SOURCE_PARTITION = "civicflow-source-partition"
SOURCE_OFFSET = "civicflow-source-offset"
LAST_ERROR = "civicflow-last-error"
RETRY_HEADERS = frozenset({ATTEMPT, DUE, SOURCE_TOPIC, SOURCE_PARTITION, SOURCE_OFFSET, LAST_ERROR})


@dataclass(frozen=True)
class Delivery:
    topic: str
    partition: int
    offset: int
    key: bytes | None
    value: bytes
    headers: dict[str, bytes] = field(default_factory=dict)

    @classmethod
    def of(cls, record: ConsumerRecord) -> "Delivery":
        headers = {name: value or b"" for name, value in record.headers or ()}
        return cls(record.topic, record.partition, record.offset, record.key, record.value or b"", headers)

    @property
    def lane(self) -> tuple[int, bytes | None]:
        """Records of one lane are handled in order: Kafka orders by partition, our producers key by submission."""
        return self.partition, self.key

    @property
    def attempt(self) -> int:
        """How many times this record was tried before (0 for a record read from its own topic)."""
        return max(0, _int(self.headers.get(ATTEMPT)) or 0)

    @property
    def source_topic(self) -> str:
        return _text(self.headers.get(SOURCE_TOPIC)) or self.topic

    @property
    def source_partition(self) -> int:
        found = _int(self.headers.get(SOURCE_PARTITION))
        return self.partition if found is None else found

    @property
    def source_offset(self) -> int:
        found = _int(self.headers.get(SOURCE_OFFSET))
        return self.offset if found is None else found

    def seconds_until_due(self) -> float:
        due_ms = _int(self.headers.get(DUE))
        return 0.0 if due_ms is None else max(0.0, due_ms / 1000 - time.time())

    def text_headers(self) -> dict[str, str]:
        """The headers to carry on (trace context, …), without the retry bookkeeping of earlier attempts."""
        return {
            name: text for name, value in self.headers.items() if name not in RETRY_HEADERS and (text := _text(value))
        }


def _text(value: bytes | None) -> str | None:
    if not value:
        return None
    try:
        return value.decode("utf-8")
    except UnicodeDecodeError:
        return None


def _int(value: bytes | None) -> int | None:
    text = _text(value)
    return int(text) if text is not None and text.isascii() and text.isdigit() and len(text) < 20 else None
