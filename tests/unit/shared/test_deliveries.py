"""Headers and payloads are input like any other: garbled ones are read safely, big ones are bounded."""

import base64
import time

from civicflow.shared.events.deadletter import DeadLetterReason
from civicflow.shared.messaging.deadletters import MAX_PAYLOAD_BYTES, dead_letter, original_payload
from civicflow.shared.messaging.deliveries import ATTEMPT, DUE, SOURCE_OFFSET, SOURCE_TOPIC, Delivery


def test_a_first_delivery_is_its_own_source() -> None:
    delivery = Delivery("topic.a", 2, 17, b"key", b"{}", {"traceparent": b"00-abc-def-01"})
    assert (delivery.attempt, delivery.source_topic, delivery.source_partition, delivery.source_offset) == (
        0,
        "topic.a",
        2,
        17,
    )
    assert delivery.seconds_until_due() == 0.0
    assert delivery.text_headers() == {"traceparent": "00-abc-def-01"}


def test_a_retried_delivery_knows_its_origin_and_when_it_is_due() -> None:
    due = str(int((time.time() + 30) * 1000)).encode()
    headers = {ATTEMPT: b"2", DUE: due, SOURCE_TOPIC: b"topic.a", SOURCE_OFFSET: b"5", "traceparent": b"x"}
    delivery = Delivery("civicflow.retry.g.2", 0, 1, b"key", b"{}", headers)
    assert (delivery.attempt, delivery.source_topic, delivery.source_offset) == (2, "topic.a", 5)
    assert 25 < delivery.seconds_until_due() <= 30
    assert delivery.text_headers() == {"traceparent": "x"}  # the bookkeeping is not carried on


def test_garbled_headers_read_as_a_first_attempt_due_now() -> None:
    headers = {ATTEMPT: b"-1", DUE: b"\xff\xfe", SOURCE_TOPIC: b"", SOURCE_OFFSET: b"9" * 400}
    delivery = Delivery("topic.a", 0, 3, None, b"{}", headers)
    assert (delivery.attempt, delivery.seconds_until_due(), delivery.source_topic, delivery.source_offset) == (
        0,
        0.0,
        "topic.a",
        3,
    )


def test_a_dead_letter_keeps_what_a_replay_needs_and_stays_small() -> None:
    huge = b"\x00\xff" * MAX_PAYLOAD_BYTES
    letter = dead_letter(Delivery("topic.a", 1, 2, b"\xff", huge), "g", DeadLetterReason.UNDECODABLE, "x" * 5000)
    assert letter.payload_truncated and letter.payload_encoding == "base64" and letter.key is None
    assert len(base64.b64decode(letter.payload)) == MAX_PAYLOAD_BYTES and len(letter.detail) == 2000
    text = dead_letter(Delivery("topic.a", 1, 2, b"k", '{"a": "ä"}'.encode()), "g", DeadLetterReason.REJECTED, "")
    assert original_payload(text) == '{"a": "ä"}'.encode() and text.key == "k"
