"""The AsyncAPI document is generated from the event models and kept current; the subscribers decode each
topic as the event the contract names."""

import json
from pathlib import Path

from faststream.specification import AsyncAPI

from civicflow.shared import topics
from civicflow.shared.contracts import TOPIC_EVENTS, asyncapi_document
from tests.support.registrations import REGISTRATIONS, registered

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
    for service in REGISTRATIONS:
        settlers = registered(service).settlers
        assert settlers and all(TOPIC_EVENTS[topic] is settler.event_type for topic, settler in settlers.items())


def test_faststreams_own_asyncapi_document_shows_each_subscribers_payload_type() -> None:
    for service in REGISTRATIONS:
        consumers = registered(service)
        document = AsyncAPI(consumers.broker, schema_version="3.0.0").to_specification().to_jsonable()
        channels = {channel["address"]: channel for channel in document["channels"].values()}
        assert set(channels) == set(consumers.settlers)  # the retry topics are internal plumbing
        for topic, settler in consumers.settlers.items():
            assert settler.event_type.__name__ in document["components"]["schemas"], (service, topic)
