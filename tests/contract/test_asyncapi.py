"""The AsyncAPI document is generated from the event models and kept current; the subscribers decode each
topic as the event the contract names."""

import json
import subprocess
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from uuid import uuid4

import jsonschema
from civicflow_agency import wire
from faststream.specification import AsyncAPI
from joserfc.jwk import RSAKey

from civicflow.shared import topics
from civicflow.shared.contracts import (
    AGENCY_HEADERS,
    AGENCY_PAYLOAD,
    DECISION_EVENTS,
    TOPIC_EVENTS,
    asyncapi_document,
)
from tests.support.registrations import REGISTRATIONS, registered

REPOSITORY = Path(__file__).resolve().parents[2]
DOCUMENT = REPOSITORY / "docs" / "asyncapi.json"
# The official AsyncAPI parser, pinned in deploy/tools/asyncapi/package-lock.json and installed by `make test`.
CHECK = REPOSITORY / "deploy" / "tools" / "asyncapi" / "check.js"
PARSER = CHECK.parent / "node_modules" / "@asyncapi" / "parser"


def test_the_committed_asyncapi_document_is_current() -> None:
    assert json.loads(DOCUMENT.read_text("utf-8")) == asyncapi_document(), (
        "docs/asyncapi.json is stale: run `uv run civicflow asyncapi > docs/asyncapi.json`"
    )


def test_every_topic_has_a_channel_with_its_event_schema() -> None:
    document = asyncapi_document()
    addresses = {channel["address"] for channel in document["channels"].values()}
    assert addresses == {
        *topics.INTERNAL_TOPICS,
        *topics.PUBLIC_TOPICS,
        topics.AGENCY_SUBMISSIONS,
        topics.AGENCY_DECISIONS,
    }
    received = document["components"]["schemas"]["SubmissionReceived"]
    assert {"event_id", "submission_id", "schema_version", "occurred_at"} <= set(received["properties"])


def test_subscribers_decode_each_topic_as_its_contract_says() -> None:
    for service in REGISTRATIONS:
        settlers = registered(service).settlers
        contract = TOPIC_EVENTS | DECISION_EVENTS
        assert settlers and all(contract[topic] is settler.event_type for topic, settler in settlers.items())


def test_faststreams_own_asyncapi_document_shows_each_subscribers_payload_type() -> None:
    for service in REGISTRATIONS:
        consumers = registered(service)
        document = AsyncAPI(consumers.broker, schema_version="3.0.0").to_specification().to_jsonable()
        channels = {channel["address"]: channel for channel in document["channels"].values()}
        assert set(channels) == set(consumers.settlers)  # the retry topics are internal plumbing
        for topic, settler in consumers.settlers.items():
            assert settler.event_type.__name__ in document["components"]["schemas"], (service, topic)


def test_the_official_asyncapi_parser_accepts_the_document(tmp_path: Path) -> None:
    checked = official_check(asyncapi_document(), tmp_path)
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_the_official_asyncapi_parser_refuses_a_broken_document(tmp_path: Path) -> None:
    """The check can fail: a channel naming a message the document does not have is an error, with its reason."""
    document = asyncapi_document()
    document["channels"]["SubmissionReceived"]["messages"] = {"Missing": {"$ref": "#/components/messages/Missing"}}
    checked = official_check(document, tmp_path)
    assert checked.returncode == 1, checked.stdout + checked.stderr
    assert "invalid-ref" in checked.stdout and "#/components/messages/Missing" in checked.stdout


def test_the_agency_topic_is_described_as_it_is_on_the_wire() -> None:
    """What routing writes (civicflow_agency.wire) fits the document: a compact JWE and the clear headers."""
    schemas = asyncapi_document()["components"]["schemas"]
    key = RSAKey.generate_key(wire.MIN_RSA_BITS, parameters={"kid": "k1"}, private=True)
    token = wire.encrypt(b"{}", key)
    jsonschema.validate(token, schemas[AGENCY_PAYLOAD])
    now = datetime.now(UTC)
    headers = wire.clear_headers(
        submission_id=str(uuid4()), service_id="99050012104000", agency_id="koeln-gewerbe", received_at=now, sent_at=now
    )
    # Formats: uuid is checked; date-time only where jsonschema finds rfc3339-validator installed.
    checker = jsonschema.Draft7Validator(schemas[AGENCY_HEADERS], format_checker=jsonschema.FormatChecker())
    checker.validate(headers)
    assert set(schemas[AGENCY_HEADERS]["required"]) == set(headers)


def official_check(document: dict[str, Any], directory: Path) -> subprocess.CompletedProcess[str]:
    if not PARSER.is_dir():
        raise RuntimeError(f"{PARSER} not found: `make asyncapi-check` installs it")
    path = directory / "asyncapi.json"
    path.write_text(json.dumps(document), "utf-8")
    return subprocess.run(["node", str(CHECK), str(path)], capture_output=True, text=True, timeout=120, check=False)
