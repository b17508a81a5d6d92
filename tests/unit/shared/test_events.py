from uuid import uuid4

import pytest
from pydantic import ValidationError

from civicflow.shared import topics
from civicflow.shared.events import Step, SubmissionRouted, derive_event_id
from tests.support.sealing import recipient, sealer_with_every_key

SEALER = sealer_with_every_key()


def test_every_event_carries_id_submission_version_and_time() -> None:
    submission_id = uuid4()
    event = SubmissionRouted(
        submission_id=submission_id,
        recipient=recipient(SEALER, submission_id, "a@example.org"),
        agency_id="koeln-gewerbe",
        municipality_key="05315000",
    )
    document = event.model_dump(mode="json")
    assert {"event_id", "submission_id", "schema_version", "occurred_at"} <= document.keys()
    assert SubmissionRouted.model_validate_json(event.model_dump_json()) == event


def test_events_are_frozen_and_refuse_unknown_fields() -> None:
    with pytest.raises(ValidationError):
        SubmissionRouted.model_validate(
            {
                "submission_id": str(uuid4()),
                "agency_id": "a",
                "municipality_key": "1",
                "recipient": recipient(SEALER, uuid4(), "a@example.org").model_dump(mode="json"),
                "extra": 1,
            }
        )


def test_follow_up_event_ids_are_deterministic() -> None:
    cause = uuid4()
    routed, verified = Step.ROUTED, Step.VERIFIED
    assert derive_event_id(cause, routed) == derive_event_id(cause, routed) != derive_event_id(cause, verified)


@pytest.mark.parametrize("bad", ["", "Köln", "a.b", "x" * 80, "-leading"])
def test_agency_topic_names_are_checked(bad: str) -> None:
    with pytest.raises(ValueError, match="agency id"):
        topics.agency_submissions(bad)


def test_agency_topic_name_follows_the_public_scheme() -> None:
    assert topics.agency_submissions("koeln-gewerbe") == "agency.koeln-gewerbe.submissions"


def test_an_event_read_from_kafka_must_carry_its_whole_envelope() -> None:
    from civicflow.shared.events.base import FROM_KAFKA

    submission_id = uuid4()
    event = SubmissionRouted(
        submission_id=submission_id,
        recipient=recipient(SEALER, submission_id, "a@example.org"),
        agency_id="koeln-gewerbe",
        municipality_key="05315000",
    )
    wire = event.model_dump_json(exclude={"event_id"})
    assert SubmissionRouted.model_validate_json(wire).event_id != event.event_id  # building: a default id
    with pytest.raises(ValidationError, match="envelope incomplete, missing event_id"):
        SubmissionRouted.model_validate_json(wire, context=FROM_KAFKA)
    assert SubmissionRouted.model_validate_json(event.model_dump_json(), context=FROM_KAFKA) == event
