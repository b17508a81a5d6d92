"""The AsyncAPI document is generated from the event models and kept current; the subscribers decode each
topic as the event the contract names."""

import json
from pathlib import Path

from civicflow.intake.entrypoints.kafka import TIMELINE_SOURCES
from civicflow.notify.entrypoints.kafka import STEP_SOURCES
from civicflow.shared import topics
from civicflow.shared.contracts import TOPIC_EVENTS, asyncapi_document

DOCUMENT = Path(__file__).resolve().parents[2] / "docs" / "asyncapi.json"


def test_the_committed_asyncapi_document_is_current() -> None:
    assert json.loads(DOCUMENT.read_text("utf-8")) == asyncapi_document(), (
        "docs/asyncapi.json is stale: run `uv run civicflow asyncapi > docs/asyncapi.json`"
    )


def test_every_topic_has_a_channel_with_its_event_schema() -> None:
    document = asyncapi_document()
    addresses = {channel["address"] for channel in document["channels"].values()}
    assert addresses == {*topics.INTERNAL_TOPICS, *topics.PUBLIC_TOPICS, topics.AGENCY_SUBMISSIONS}
    received = document["components"]["schemas"]["SubmissionReceived"]
    assert {"event_id", "submission_id", "schema_version", "occurred_at"} <= set(received["properties"])


def test_subscribers_decode_each_topic_as_its_contract_says() -> None:
    for sources in (TIMELINE_SOURCES, STEP_SOURCES):
        assert all(TOPIC_EVENTS[topic] is event for topic, event in sources.items())
