"""The experience event carries the step of a visit and nothing that could name a person."""

from typing import Any
from uuid import uuid1, uuid4

import pytest
from pydantic import ValidationError

from civicflow.shared.events import ExperienceKind, ExperienceRecorded
from civicflow.shared.events.base import FROM_KAFKA

ALLOWED_KEYS = {
    "event_id",
    "schema_version",
    "occurred_at",
    "kind",
    "service_id",
    "journey_id",
    "field",
    "language",
    "device",
}


def step(**changes: Any) -> dict[str, Any]:
    return {
        "kind": "validation_failed",
        "service_id": "99050012104000",
        "journey_id": str(uuid4()),
        "field": "/form/business_name",
        "language": "de",
        "device": "phone",
    } | changes


def test_an_event_carries_exactly_its_envelope_and_the_step() -> None:
    event = ExperienceRecorded.model_validate(step())
    assert set(event.model_dump(mode="json")) == ALLOWED_KEYS
    assert event.kind is ExperienceKind.VALIDATION_FAILED and event.schema_version == 1
    assert ExperienceRecorded.model_validate_json(event.model_dump_json(), context=FROM_KAFKA) == event
    with pytest.raises(ValidationError, match="frozen"):
        setattr(event, "device", "desktop")  # noqa: B010 - an assignment mypy would refuse


@pytest.mark.parametrize(
    "extra",
    [
        {"ip": "203.0.113.7"},
        {"user_agent": "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Mobile/15E148"},
        {"value": "Erika Mustermann"},
        {"email": "erika@example.org"},
        {"submission_id": str(uuid4())},
        {"given_name": "Erika"},
    ],
)
def test_anything_else_is_refused(extra: dict[str, str]) -> None:
    with pytest.raises(ValidationError, match="Extra inputs are not permitted"):
        ExperienceRecorded.model_validate(step(**extra))


@pytest.mark.parametrize(
    "pointer",
    [
        "form/business_name",
        "/",
        "//",
        "/form/",
        "/form/Business_Name",
        "/form/business name",
        "/form/erika@example.org",
        "/form/a~1b",
        "/form/" + "x" * 100,
    ],
)
def test_the_field_is_a_short_pointer_of_lower_case_names(pointer: str) -> None:
    with pytest.raises(ValidationError, match="field"):
        ExperienceRecorded.model_validate(step(field=pointer))


def test_only_a_failed_check_names_a_field_and_it_always_does() -> None:
    with pytest.raises(ValidationError, match="names its field"):
        ExperienceRecorded.model_validate(step(field=None))
    with pytest.raises(ValidationError, match="only a validation_failed event names a field"):
        ExperienceRecorded.model_validate(step(kind="submitted"))
    assert ExperienceRecorded.model_validate(step(kind="submitted", field=None)).field is None


@pytest.mark.parametrize(
    "changes",
    [
        {"service_id": "12345678901234"},
        {"service_id": "9905001210400"},
        {"journey_id": str(uuid1())},  # made from a clock and a MAC address, not at random
        {"language": "fr"},
        {"device": "iPhone 15"},
        {"kind": "clicked"},
    ],
)
def test_each_value_is_one_the_contract_names(changes: dict[str, str]) -> None:
    with pytest.raises(ValidationError):
        ExperienceRecorded.model_validate(step(**changes))


def test_an_event_read_from_kafka_must_carry_its_whole_envelope() -> None:
    wire = ExperienceRecorded.model_validate(step()).model_dump_json(exclude={"event_id"})
    with pytest.raises(ValidationError, match="envelope incomplete, missing event_id"):
        ExperienceRecorded.model_validate_json(wire, context=FROM_KAFKA)
