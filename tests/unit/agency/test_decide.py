"""A decision as `decide` builds it, without a broker: what is signed, by whom, and what it refuses to send."""

import json
from datetime import UTC, datetime

import pytest
from civicflow_agency import wire
from civicflow_agency.decide import OUTCOMES, checked_reason, checked_uuid, signed_decision
from joserfc.jwk import RSAKey

AGENCY = "koeln-gewerbe"
SUBMISSION = "3f2b8c1e-6a4d-4e8f-9b1a-2c3d4e5f6a7b"
DECIDED_AT = datetime(2026, 11, 27, 10, 30, tzinfo=UTC)
REASON = "Ihre Gewerbeanmeldung ist vollständig.\nSie erhalten die Bestätigung per Post."


def test_the_command_names_each_outcome_the_wire_knows() -> None:
    assert sorted(OUTCOMES.values()) == sorted(wire.OUTCOMES)
    assert OUTCOMES["request-info"] == "information_requested"


def test_a_decision_is_signed_by_the_agency_and_verifies_with_its_public_half(signing_key: RSAKey) -> None:
    decision = signed_decision(
        agency_id=AGENCY, submission_id=SUBMISSION, outcome="accepted", reason=REASON, key=signing_key,
        decided_at=DECIDED_AT,
    )  # fmt: skip
    assert decision.topic == "agency.koeln-gewerbe.decisions" and decision.key == SUBMISSION.encode()
    assert dict(decision.headers) == {
        wire.HEADER_SUBMISSION_ID: SUBMISSION.encode(),
        wire.HEADER_AGENCY_ID: AGENCY.encode(),
        wire.HEADER_CONTENT_TYPE: wire.MEDIA_TYPE.encode(),
    }
    public = wire.signing_keys([signing_key.as_dict(private=False)])
    assert json.loads(wire.verify(decision.value, public)) == {
        "decision_id": decision.decision_id,
        "submission_id": SUBMISSION,
        "agency_id": AGENCY,
        "outcome": "accepted",
        "reason": REASON,
        "decided_at": "2026-11-27T10:30:00+00:00",
    }
    assert checked_uuid(decision.decision_id, "decision id") == decision.decision_id


def test_another_key_or_an_altered_decision_does_not_verify(signing_key: RSAKey, other_signing_key: RSAKey) -> None:
    decision = signed_decision(
        agency_id=AGENCY, submission_id=SUBMISSION, outcome="rejected", reason="Nicht zuständig.", key=signing_key
    )
    with pytest.raises(wire.NotSignedByAgency):
        wire.verify(decision.value, [RSAKey.import_key(other_signing_key.as_dict(private=False))])
    forged = signed_decision(
        agency_id=AGENCY, submission_id=SUBMISSION, outcome="accepted", reason="Genehmigt.", key=other_signing_key
    )
    public = wire.signing_keys([signing_key.as_dict(private=False)])
    with pytest.raises(wire.NotSignedByAgency):
        wire.verify(forged.value, public)
    header, payload, signature = decision.value.decode().split(".")
    altered = payload[:-2] + ("A" if payload[-2] != "A" else "B") + payload[-1]
    with pytest.raises(wire.NotSignedByAgency):
        wire.verify(f"{header}.{altered}.{signature}", public)


def test_the_same_decision_id_sends_the_same_decision_again(signing_key: RSAKey) -> None:
    def decided(decision_id: str | None) -> str:
        made = signed_decision(
            agency_id=AGENCY, submission_id=SUBMISSION.upper(), outcome="information_requested",
            reason="Bitte reichen Sie den Mietvertrag nach.", key=signing_key, decision_id=decision_id,
        )  # fmt: skip
        payload = json.loads(wire.verify(made.value, wire.signing_keys([signing_key.as_dict(private=False)])))
        assert payload["submission_id"] == SUBMISSION  # in CivicFlow's form, whatever form it was given in
        return made.decision_id

    first = decided(None)
    assert decided(first) == first
    assert decided(None) != first


@pytest.mark.parametrize(
    ("arguments", "refusal"),
    [
        ({"submission_id": "s-1"}, "submission id 's-1' is not a UUID"),
        ({"decision_id": "again"}, "--decision-id 'again' is not a UUID"),
        ({"agency_id": "Köln"}, "agency id"),
        ({"outcome": "approved"}, "an outcome is one of"),
    ],
)
def test_what_cannot_be_a_decision_is_refused_before_signing(
    signing_key: RSAKey, arguments: dict[str, str], refusal: str
) -> None:
    given = {"agency_id": AGENCY, "submission_id": SUBMISSION, "outcome": "accepted"} | arguments
    with pytest.raises(ValueError, match=refusal):
        signed_decision(
            agency_id=given["agency_id"], submission_id=given["submission_id"], outcome=given["outcome"],
            reason="Gut.", key=signing_key, decision_id=given.get("decision_id"),
        )  # fmt: skip


def test_a_reason_in_plain_text_is_kept_as_written() -> None:
    for reason in (REASON, "x", "Umsatz < 22.000 €, also Kleinunternehmer", "ä" * wire.REASON_MAX_CHARACTERS):
        assert checked_reason(reason) == reason


@pytest.mark.parametrize(
    ("reason", "refusal"),
    [
        ("", "empty"),
        (" \n ", "empty"),
        ("x" * (wire.REASON_MAX_CHARACTERS + 1), "2001 characters, at most 2000"),
        ("Abgelehnt.\tSiehe Akte", "U\\+0009"),
        ("Abgelehnt.\rSiehe Akte", "U\\+000D"),
        ("Abgelehnt.\x1b[31m", "U\\+001B"),
        ("Genehmigt \u202egnunhcer", "U\\+202E"),
        ("Bitte <a href='https://evil.example'>hier</a> klicken", "markup"),
        ("Siehe </p>", "markup"),
        ("<!-- intern: Antragsteller unfreundlich -->", "markup"),
        ("Abgelehnt \udcff", "not valid text"),
    ],
)
def test_a_reason_the_citizen_should_not_be_shown_is_refused(reason: str, refusal: str) -> None:
    with pytest.raises(ValueError, match=refusal):
        checked_reason(reason)
