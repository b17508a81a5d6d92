"""Turning a delivery a consumer gives up on into a dead letter that keeps everything needed to replay it."""

import base64
from typing import Literal

from civicflow.shared.events import DeadLetter
from civicflow.shared.events.deadletter import DeadLetterReason
from civicflow.shared.messaging.deliveries import Delivery

# A dead letter must itself fit on a topic (Kafka's default limit is 1 MiB), whatever arrived.
MAX_PAYLOAD_BYTES = 512 * 1024
MAX_DETAIL_CHARACTERS = 2000


def dead_letter(delivery: Delivery, consumer_group: str, reason: DeadLetterReason, detail: str) -> DeadLetter:
    value = delivery.value[:MAX_PAYLOAD_BYTES]
    encoding: Literal["utf-8", "base64"] = "utf-8"
    try:
        payload = value.decode("utf-8")
    except UnicodeDecodeError:
        payload, encoding = base64.b64encode(value).decode("ascii"), "base64"
    return DeadLetter(
        consumer_group=consumer_group,
        source_topic=delivery.source_topic,
        source_partition=delivery.source_partition,
        source_offset=delivery.source_offset,
        reason=reason,
        detail=detail[:MAX_DETAIL_CHARACTERS],
        attempts=delivery.attempt,
        key=_text_or_none(delivery.key),
        headers=delivery.text_headers(),
        payload=payload,
        payload_encoding=encoding,
        payload_truncated=len(delivery.value) > MAX_PAYLOAD_BYTES,
    )


def original_payload(letter: DeadLetter) -> bytes:
    if letter.payload_encoding == "base64":
        return base64.b64decode(letter.payload)
    return letter.payload.encode("utf-8")


def _text_or_none(value: bytes | None) -> str | None:
    if value is None:
        return None
    try:
        return value.decode("utf-8")
    except UnicodeDecodeError:
        return None
