"""The rating event carries a score and what an administration aggregates it by, and nothing that could name a
person or find their application."""

from typing import Any
from uuid import uuid4

import pytest
from pydantic import ValidationError

from civicflow.shared.events.base import FROM_KAFKA
from civicflow.shared.events.experience import ServiceRated

ALLOWED_KEYS = {"event_id", "schema_version", "occurred_at", "service_id", "score", "language", "commented", "outcome"}


def rated(**changes: Any) -> dict[str, Any]:
    return {
        "service_id": "99050012104000",
        "score": 4,
        "language": "de",
        "commented": True,
        "outcome": "accepted",
    } | changes


def test_an_event_carries_exactly_its_envelope_and_the_rating() -> None:
    event = ServiceRated.model_validate(rated())
    assert set(event.model_dump(mode="json")) == ALLOWED_KEYS and event.schema_version == 1
    assert ServiceRated.model_validate_json(event.model_dump_json(), context=FROM_KAFKA) == event


@pytest.mark.parametrize(
    "extra",
    [{"submission_id": str(uuid4())}, {"comment": "Danke"}, {"email": "erika@example.org"}, {"journey_id": "x"}],
    ids=["submission", "comment", "email", "journey"],
)
def test_no_other_field_is_taken(extra: dict[str, Any]) -> None:
    with pytest.raises(ValidationError, match="Extra inputs are not permitted"):
        ServiceRated.model_validate(rated(**extra))


@pytest.mark.parametrize(
    "changes",
    [
        {"score": 0},
        {"score": 6},
        {"score": "4"},
        {"score": 4.0},
        {"score": True},
        {"outcome": "information_requested"},
        {"language": "fr"},
        {"service_id": "koeln"},
    ],
    ids=["zero", "six", "text", "float", "bool", "not-closing", "language", "service"],
)
def test_a_rating_out_of_its_bounds_is_refused(changes: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        ServiceRated.model_validate(rated(**changes))


def test_read_from_kafka_the_envelope_must_be_whole() -> None:
    wire = ServiceRated.model_validate(rated()).model_dump_json(exclude={"event_id"})
    with pytest.raises(ValidationError, match="envelope incomplete, missing event_id"):
        ServiceRated.model_validate_json(wire, context=FROM_KAFKA)
