"""An agency's decision is input from outside CivicFlow: read from its JWS only when it is a decision, its reason
plain text a citizen can be shown; the decisions of every agency are read by one subscription by pattern."""

import base64
import json
import re
from datetime import UTC, datetime
from typing import Any
from uuid import UUID, uuid4

import pytest
from civicflow_agency import wire
from pydantic import ValidationError

from civicflow.shared import topics
from civicflow.shared.events import AgencyDecision
from civicflow.shared.events.agency import MAX_TOKEN_CHARACTERS, NotADecision
from civicflow.shared.events.common import letter_text
from civicflow.shared.messaging import Subscription
from civicflow.shared.messaging.subscription import fullmatch_template
from tests.support.agencies import unit_signing_key

AGENCY = "koeln-gewerbe"
TOPIC = topics.agency_decisions(AGENCY)
SUBMISSION = UUID("3f2b8c1e-6a4d-4e8f-9b1a-2c3d4e5f6a7b")
DECIDED_AT = datetime(2026, 11, 27, 10, 30, tzinfo=UTC)
REASON = "Ihre Gewerbeanmeldung ist vollständig.\nSie erhalten die Bestätigung per Post."


def claims(**changes: Any) -> dict[str, Any]:
    document = {
        "decision_id": str(uuid4()),
        "submission_id": str(SUBMISSION),
        "agency_id": AGENCY,
        "outcome": "accepted",
        "reason": REASON,
        "decided_at": DECIDED_AT.isoformat(),
    }
    return {name: value for name, value in (document | changes).items() if value is not None}


def _part(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def unsigned(payload: bytes) -> bytes:
    """A JWS-shaped token around `payload` (reading a decision does not check its signature; routing does)."""
    header = _part(json.dumps({"alg": wire.SIGNATURE}).encode())
    return f"{header}.{_part(payload)}.{_part(b'no signature')}".encode()


def test_a_signed_decision_reads_as_what_it_says() -> None:
    decision_id = uuid4()
    payload = wire.decision_payload(
        decision_id=str(decision_id), submission_id=str(SUBMISSION), agency_id=AGENCY, outcome="rejected",
        reason=REASON, decided_at=DECIDED_AT,
    )  # fmt: skip
    token = wire.sign(payload, unit_signing_key(AGENCY))
    decision = AgencyDecision.of_record(TOPIC, token.encode())
    assert (decision.event_id, decision.submission_id, decision.occurred_at) == (decision_id, SUBMISSION, DECIDED_AT)
    assert (decision.agency_id, decision.outcome, decision.reason) == (AGENCY, "rejected", REASON)
    assert decision.received_on == TOPIC and decision.token == token
    assert wire.verify(decision.token, wire.signing_keys([unit_signing_key(AGENCY).as_dict(private=False)])) == payload


@pytest.mark.parametrize(
    "value",
    [
        b"",
        b"not a token",
        b"a.b",
        b"a.b.c.d.e",  # a JWE, not a JWS
        "ä.ö.ü".encode(),
        b"\xff\xfe.\x00.\x01",
        b"eyJhbGciOiJQUzI1NiJ9.!!!.c2ln",
        b"x" * (MAX_TOKEN_CHARACTERS + 1),
    ],
)
def test_what_is_no_jws_is_no_decision(value: bytes) -> None:
    with pytest.raises(NotADecision):
        AgencyDecision.of_record(TOPIC, value)


@pytest.mark.parametrize(
    ("payload", "refusal"),
    [
        (b"not json", "the JWS payload is not JSON"),
        (b"\xff\xfe", "the JWS payload is not JSON"),
        (b"[1, 2]", "valid dictionary"),
        (b'"accepted"', "valid dictionary"),
        (b"null", "valid dictionary"),
    ],
)
def test_a_payload_that_is_no_json_object_is_no_decision(payload: bytes, refusal: str) -> None:
    with pytest.raises(ValueError, match=refusal):  # NotADecision, or pydantic's ValidationError
        AgencyDecision.of_record(TOPIC, unsigned(payload))


@pytest.mark.parametrize(
    ("changes", "refusal"),
    [
        ({"decision_id": None}, "decision_id\n  Field required"),
        ({"submission_id": None}, "submission_id\n  Field required"),
        ({"reason": None}, "reason\n  Field required"),
        ({"decided_at": None}, "decided_at\n  Field required"),
        ({"decision_id": "not-a-uuid"}, "decision_id\n  Input should be a valid UUID"),
        ({"outcome": "approved"}, "outcome\n  Input should be 'accepted'"),
        ({"agency_id": "Köln Gewerbe"}, "agency_id\n  String should match pattern"),
        ({"decided_at": "yesterday"}, "decided_at\n  Input should be a valid datetime"),
        ({"signed_by": "someone"}, "signed_by\n  Extra inputs are not permitted"),
        ({"reason": ""}, "at least 1 character"),
        ({"reason": " \n \n"}, "must contain a letter or a digit"),
        ({"reason": "<script>alert(1)</script>"}, "must not contain markup"),
        ({"reason": "Siehe <a href='https://example.org'>hier</a>"}, "must not contain markup"),
        ({"reason": "Genehmigt.\x1b[31m"}, "must not contain control"),
        ({"reason": "Genehmigt.\x00"}, "must not contain control"),
        ({"reason": "Genehmigt.\u202e"}, "must not contain control"),  # a right-to-left override
        ({"reason": "Genehmigt.\r Abgelehnt."}, "must not contain control"),
        ({"reason": "x" * (wire.REASON_MAX_CHARACTERS + 1)}, f"at most {wire.REASON_MAX_CHARACTERS} characters"),
        ({"reason": 42}, "reason\n  Input should be a valid string"),
    ],
)
def test_a_decision_missing_a_field_or_with_an_unfit_reason_is_refused(changes: dict[str, Any], refusal: str) -> None:
    with pytest.raises(ValidationError, match=re.escape(refusal)):
        AgencyDecision.of_record(TOPIC, unsigned(json.dumps(claims(**changes)).encode()))


def test_a_reason_of_the_longest_allowed_length_is_taken() -> None:
    reason = "x" * wire.REASON_MAX_CHARACTERS
    decision = AgencyDecision.of_record(TOPIC, unsigned(json.dumps(claims(reason=reason)).encode()))
    assert decision.reason == reason


def test_a_letter_keeps_its_lines_and_paragraphs() -> None:
    letter = "Sehr geehrte Frau Mustermann,\n\nbitte senden Sie uns den Mietvertrag.\nDanke (Frist < 14 Tage) & Gruß"
    assert letter_text(letter) == letter
    assert letter_text("  Erste Zeile\r\nZweite Zeile\n\n") == "Erste Zeile\nZweite Zeile"
    assert letter_text("Gewerbe\u0301") == "Gewerbé"  # NFC, as every other text we take


@pytest.mark.parametrize(
    ("bad", "refusal"),
    [
        ("<script>alert(1)</script>", "markup"),
        ("Hallo\n< b>fett</b>", "markup"),
        ("<!-- x -->", "markup"),
        ("", "letter or a digit"),
        ("\n\n", "letter or a digit"),
        ("...\n!", "letter or a digit"),
        ("a\x1bb", "control"),
        ("a\tb", "control"),
    ],
)
def test_a_letter_refuses_markup_control_characters_and_emptiness(bad: str, refusal: str) -> None:
    with pytest.raises(ValueError, match=refusal):
        letter_text(bad)


@pytest.mark.parametrize("bad", ["Genehmigt.\n\x1f\nOk", "a\n\r\r\nb", "a\n\x85\nb", "a\n\x0b\nb", "a\n \x1c \nb"])
def test_a_letter_refuses_control_characters_on_a_blank_line_too(bad: str) -> None:
    with pytest.raises(ValueError, match="control"):
        letter_text(bad)


def test_a_topic_template_matches_its_family_and_nothing_else() -> None:
    template = topics.AGENCY_DECISIONS
    assert fullmatch_template(template, "agency.koeln-gewerbe.decisions")
    assert fullmatch_template(template, topics.agency_decisions("muenchen-wohnen"))
    for other in (
        "agency.koeln-gewerbe.submissions",
        "agency..decisions",
        "agency.koeln.gewerbe.decisions",  # one dot-free part, not two
        "agency.koeln-gewerbe.decisions.retry",
        "xagency.koeln-gewerbe.decisions",
        "agencyXkoeln-gewerbeXdecisions",  # the dots are dots, not "any character"
    ):
        assert not fullmatch_template(template, other), other


async def _ignore(decision: AgencyDecision) -> None:
    return None


def test_a_pattern_subscription_reads_every_agencys_topic_a_plain_one_only_its_own() -> None:
    every = Subscription(topics.AGENCY_DECISIONS, AgencyDecision, _ignore, pattern=True)
    assert every.reads(topics.agency_decisions(AGENCY)) and every.reads(topics.agency_decisions("koeln-standesamt"))
    assert not every.reads(topics.agency_submissions(AGENCY)) and not every.reads(topics.SUBMISSION_DECIDED)
    one = Subscription(topics.agency_decisions(AGENCY), AgencyDecision, _ignore)
    assert one.reads(topics.agency_decisions(AGENCY)) and not one.reads(topics.agency_decisions("koeln-standesamt"))
    assert not Subscription(topics.AGENCY_DECISIONS, AgencyDecision, _ignore).reads(topics.agency_decisions(AGENCY))
