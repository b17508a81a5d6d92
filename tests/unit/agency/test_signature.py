"""The webhook's signature: what the listener sends, what an agency's receiver accepts."""

import pytest
from civicflow_agency.signature import SIGNATURE_HEADER, TIMESTAMP_HEADER, WINDOW_SECONDS, sign, verify_webhook

BODY = b'{"submission_id":"s-1","application":{"service":"Gewerbeanmeldung"}}'
NOW = 1_795_000_000
CURRENT, PREVIOUS = "current-secret-2026-11", "previous-secret-2026-05"


def test_a_signed_body_is_accepted_with_the_secret_it_was_signed_with() -> None:
    headers = sign(BODY, [CURRENT], NOW)
    assert headers[TIMESTAMP_HEADER] == str(NOW)
    assert headers[SIGNATURE_HEADER].startswith("v1=") and "," not in headers[SIGNATURE_HEADER]
    assert verify_webhook(headers, BODY, [CURRENT], now=NOW)


def test_during_a_rotation_either_side_may_hold_either_secret() -> None:
    both = sign(BODY, [CURRENT, PREVIOUS], NOW)
    assert both[SIGNATURE_HEADER].count("v1=") == 2
    # The receiver not yet switched, the one switched, and the one holding both: all accept.
    for receiver in ([PREVIOUS], [CURRENT], [CURRENT, PREVIOUS], [PREVIOUS, CURRENT]):
        assert verify_webhook(both, BODY, receiver, now=NOW)
    # A sender still on the old secret alone, while the receiver holds both.
    assert verify_webhook(sign(BODY, [PREVIOUS], NOW), BODY, [CURRENT, PREVIOUS], now=NOW)
    assert not verify_webhook(both, BODY, ["a-secret-nobody-shared"], now=NOW)


def test_a_tampered_body_or_timestamp_is_refused() -> None:
    headers = sign(BODY, [CURRENT], NOW)
    assert not verify_webhook(headers, BODY.replace(b"Gewerbe", b"Gewerbx"), [CURRENT], now=NOW)
    moved = headers | {TIMESTAMP_HEADER: str(NOW + 1)}  # signed for another moment
    assert not verify_webhook(moved, BODY, [CURRENT], now=NOW)


@pytest.mark.parametrize("offset", [-WINDOW_SECONDS - 1, WINDOW_SECONDS + 1, -86_400])
def test_a_timestamp_outside_the_window_is_refused_as_a_replay(offset: int) -> None:
    headers = sign(BODY, [CURRENT], NOW + offset)
    assert not verify_webhook(headers, BODY, [CURRENT], now=NOW)


def test_the_window_can_be_narrowed_and_its_edge_is_inside() -> None:
    headers = sign(BODY, [CURRENT], NOW - 60)
    assert verify_webhook(headers, BODY, [CURRENT], now=NOW, window_seconds=60)
    assert not verify_webhook(headers, BODY, [CURRENT], now=NOW, window_seconds=59)


def test_header_names_are_matched_in_any_case() -> None:
    headers = {name.lower(): value for name, value in sign(BODY, [CURRENT], NOW).items()}
    assert verify_webhook(headers, BODY, [CURRENT], now=NOW)


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {TIMESTAMP_HEADER: str(NOW)},
        {TIMESTAMP_HEADER: "yesterday", SIGNATURE_HEADER: "v1=00"},
        {TIMESTAMP_HEADER: str(NOW), SIGNATURE_HEADER: ""},
        {TIMESTAMP_HEADER: str(NOW), SIGNATURE_HEADER: "v1="},
    ],
)
def test_missing_or_malformed_headers_are_refused(headers: dict[str, str]) -> None:
    assert not verify_webhook(headers, BODY, [CURRENT], now=NOW)


def test_only_the_v1_scheme_counts() -> None:
    digest = sign(BODY, [CURRENT], NOW)[SIGNATURE_HEADER].removeprefix("v1=")
    headers = {TIMESTAMP_HEADER: str(NOW), SIGNATURE_HEADER: f"v0={digest}"}
    assert not verify_webhook(headers, BODY, [CURRENT], now=NOW)


def test_signing_needs_a_secret() -> None:
    with pytest.raises(ValueError, match="at least one secret"):
        sign(BODY, [], NOW)
