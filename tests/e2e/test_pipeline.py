"""One application after another through the real pipeline, checked where a citizen, an agency and an
operator would look: the agency topic, the mailbox, the status timeline and the traces."""

import asyncio
import json
import re
import time
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

import httpx
import pytest
from aiokafka import AIOKafkaProducer
from pymongo import AsyncMongoClient

from civicflow.local import cli
from civicflow.local.bench import run_bench
from civicflow.local.demo import run_demo
from civicflow.local.idp import SigningKey
from civicflow.local.layout import Layout
from civicflow.local.load import open_agency_consumer
from civicflow.local.sample import ERIKA, application
from civicflow.local.stack import Stack, components
from civicflow.local.tail import open_tail
from civicflow.shared import topics
from civicflow.shared.events import (
    Applicant,
    DeadLetter,
    IdentityVerified,
    Step,
    SubmissionReceived,
    SubmissionRouted,
    derive_event_id,
)
from civicflow.shared.events.deadletter import DeadLetterReason
from civicflow.shared.kafka import client_options
from tests.support.agencies import open_record
from tests.support.journeys import eventually, mailed_steps, mails, messages, post, told_of, until_settled
from tests.support.otlp import Collector
from tests.support.sealing import received, stack_sealer

pytestmark = pytest.mark.e2e

PERSONAL_DATA = ("Erika", "Mustermann", "1964-08-12", "erika@example.org", "Heidestraße", "51147")


async def test_applications_travel_the_whole_pipeline(stack: Layout, collector: Collector, tmp_path: Path) -> None:
    provider = SigningKey.load_or_create(stack.idp_state_dir)
    forger = SigningKey.load_or_create(tmp_path / "forger")
    flensburg = ERIKA | {
        "language": "en",
        "address": {"street": "Holm 1", "postal_code": "24937", "city": "Flensburg"},
    }
    consumer = await open_agency_consumer(stack.kafka_admin)
    try:
        async with httpx.AsyncClient(base_url=stack.intake_url, timeout=10.0) as client:
            valid = await post(client, application(provider, stack.idp_issuer), "routed")
            forged = await post(client, application(forger, stack.idp_issuer), "rejected")
            unknown_region = await post(client, application(provider, stack.idp_issuer, flensburg), "unroutable")
            statuses = {p.submission_id: await until_settled(client, p) for p in (valid, forged, unknown_region)}

        # the status timeline, as the citizen sees it
        for posted in (valid, forged, unknown_region):
            assert statuses[posted.submission_id]["status"] == posted.expect
        valid_timeline = statuses[valid.submission_id]["timeline"]
        assert [entry["step"] for entry in valid_timeline if entry["step"] != "notified"] == [
            "received",
            "verified",
            "routed",
        ]
        # one message told of all three steps (they came within the coalescing window), handed to the mail server
        (message,) = messages(valid_timeline).values()
        assert (message["message_type"], message["status"], message["channel"]) == ("routed", "sending", "email")
        assert told_of(valid_timeline) == {"received", "verified", "routed"}
        times = [entry["at"] for entry in statuses[valid.submission_id]["timeline"]]
        assert times == sorted(times)
        rejected_entry = statuses[forged.submission_id]["timeline"]
        assert {"step": "rejected", "reason": "signature_invalid"}.items() <= next(
            e for e in rejected_entry if e["step"] == "rejected"
        ).items()

        # the agency topic: the valid application, exactly once, and nothing else of ours
        await asyncio.sleep(2.0)
        delivered = [record for batch in (await consumer.getmany(timeout_ms=3000)).values() for record in batch]
        ours = [r for r in delivered if r.key and r.key.decode() in statuses]
        assert [(r.topic, r.key.decode()) for r in ours] == [
            (topics.agency_submissions("koeln-gewerbe"), valid.submission_id)
        ]
    finally:
        await consumer.stop()

    # the mailbox: one message per application, naming how far it got, in the citizen's language
    ours_by_id = {valid.submission_id, forged.submission_id, unknown_region.submission_id}
    by_submission: dict[str, list[str]] = {}
    for mail in mails(stack.mail_dir):
        submission_id, _, message_type = str(mail["Message-ID"]).strip().strip("<>").split("@")[0].split(".")
        if submission_id in ours_by_id:  # other tests mail other applicants
            by_submission.setdefault(submission_id, []).append(message_type)
            assert mail["To"] == "erika@example.org"
    assert by_submission[valid.submission_id] == ["routed"]
    assert by_submission[forged.submission_id] == ["identity_rejected"]
    assert by_submission[unknown_region.submission_id] == ["unroutable"]
    english = [m for m in mails(stack.mail_dir) if unknown_region.submission_id in str(m["Message-ID"])]
    assert all(m["Content-Language"] == "en" for m in english)

    # one trace per submission, across all four services, with the record keeping its id
    mongo: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(stack.mongo_uri)
    record = await mongo["civicflow_intake"]["submissions"].find_one({"_id": valid.submission_id})
    await mongo.close()
    assert record is not None
    trace_id = record["trace_id"]
    await assert_one_connected_trace(collector, trace_id)


async def assert_one_connected_trace(collector: Collector, trace_id: str, timeout: float = 20.0) -> None:
    expected_services = {"civicflow-intake", "civicflow-identity", "civicflow-routing", "civicflow-notify"}
    deadline = time.monotonic() + timeout
    while True:
        spans = collector.trace(trace_id)
        if {s.service for s in spans} >= expected_services and any(s.name == "smtp send" for s in spans):
            break
        assert time.monotonic() < deadline, f"trace incomplete: {sorted({(s.service, s.name) for s in spans})}"
        await asyncio.sleep(0.5)
    await asyncio.sleep(1.0)
    spans = collector.trace(trace_id)
    ids = {span.span_id for span in spans}
    roots = [span for span in spans if not span.parent_span_id]
    assert len(roots) == 1 and roots[0].service == "civicflow-intake" and roots[0].name.startswith("POST")
    orphans = [(s.service, s.name) for s in spans if s.parent_span_id and s.parent_span_id not in ids]
    assert orphans == []
    names = {(s.service, s.name) for s in spans}
    for service in expected_services:
        assert any(svc == service and name.endswith(" process") for svc, name in names), service
    assert any(s.service == "civicflow-intake" and s.attributes.get("db.system") == "mongodb" for s in spans)
    assert any(s.service == "civicflow-notify" and s.name == "smtp send" for s in spans)
    assert any(s.service == "civicflow-routing" and "agency." in s.name and "publish" in s.name for s in spans)
    for span in spans:
        text = f"{span.name} {span.attributes}"
        assert not [word for word in PERSONAL_DATA if word in text], (span.service, span.name)


async def test_refused_input_is_answered_with_problems_and_never_published(stack: Layout) -> None:
    consumer = await open_tail(stack.kafka_admin, topics.SUBMISSION_RECEIVED)
    partitions = sorted(consumer.assignment())
    before = await consumer.end_offsets(partitions)
    provider = SigningKey.load_or_create(stack.idp_state_dir)
    body = application(provider, stack.idp_issuer)
    cases: list[tuple[dict[str, Any], int, set[str]]] = [
        ({"content": b"{not json", "headers": {"Content-Type": "application/json"}}, 400, set()),
        ({"json": body | {"service_id": "99000000000000"}}, 422, {"/service_id"}),
        (
            {"json": body | {"applicant": ERIKA | {"email": "nope", "birth_date": 1964}}},
            422,
            {"/applicant/email", "/applicant/birth_date"},
        ),
        ({"json": body | {"form": body["form"] | {"activity": "x" * (1024 * 1024)}}}, 413, set()),
    ]
    mongo: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(stack.mongo_uri)
    submissions = mongo["civicflow_intake"]["submissions"]
    stored_before = await submissions.count_documents({})
    async with httpx.AsyncClient(base_url=stack.intake_url, timeout=10.0) as client:
        for request, status, pointers in cases:
            response = await client.post("/v1/submissions", **request)
            assert response.status_code == status
            assert response.headers["content-type"] == "application/problem+json"
            assert {error["pointer"] for error in response.json().get("errors", [])} == pointers
        # a status link without its token shows nothing, exactly like an unknown id
        posted = await post(client, body, "routed")
        for headers in ({}, {"Authorization": "Bearer not-the-token"}):
            response = await client.get(posted.location, headers=headers)
            assert response.status_code == 404 and "received" not in response.text
            unknown = await client.get("/v1/submissions/00000000-0000-0000-0000-000000000000", headers=headers)
            assert unknown.json()["detail"] == response.json()["detail"]
    await asyncio.sleep(1.0)
    after = await consumer.end_offsets(partitions)
    await consumer.stop()
    stored_after = await submissions.count_documents({})
    await mongo.close()
    # only the one valid submission was published and stored
    assert sum(after.values()) - sum(before.values()) == 1
    assert stored_after - stored_before == 1


async def test_a_message_that_is_no_event_is_dead_lettered_with_the_reason(stack: Layout) -> None:
    consumer = await open_tail(stack.kafka_admin, topics.DEAD_LETTER)
    producer = AIOKafkaProducer(**client_options(stack.kafka_admin), acks="all", enable_idempotence=True)
    await producer.start()
    poison = b'{"submission_id": "not-a-uuid", "hello": "world"}'
    await producer.send_and_wait(topics.SUBMISSION_RECEIVED, poison, key=b"poison")
    await producer.stop()

    # Every consumer group that reads the topic: identity, notify, and insights (which counts the applications).
    readers = {"civicflow-identity", "civicflow-notify", "civicflow-insights"}
    letters: dict[str, DeadLetter] = {}
    deadline = time.monotonic() + 30
    while readers - letters.keys() and time.monotonic() < deadline:
        for batch in (await consumer.getmany(timeout_ms=500)).values():
            for record in batch:
                letter = DeadLetter.model_validate_json(record.value)
                letters[letter.consumer_group] = letter
    await consumer.stop()
    assert letters.keys() == readers
    for letter in letters.values():
        assert letter.source_topic == topics.SUBMISSION_RECEIVED and letter.payload == poison.decode()
        assert letter.reason == DeadLetterReason.UNDECODABLE
        assert letter.detail.startswith("not a valid SubmissionReceived: ")
        assert "envelope incomplete, missing event_id, schema_version, occurred_at" in letter.detail

    # the consumers moved on: the next application still travels the whole way
    provider = SigningKey.load_or_create(stack.idp_state_dir)
    async with httpx.AsyncClient(base_url=stack.intake_url, timeout=10.0) as client:
        after = await post(client, application(provider, stack.idp_issuer), "routed")
        assert (await until_settled(client, after))["status"] == "routed"


async def test_a_second_up_reuses_everything_that_runs(stack: Layout) -> None:
    said: list[str] = []
    await Stack(stack, say=said.append).up()
    started = [line for line in said if not line.endswith("already running, reused")]
    assert started == []
    assert len(said) == len(components(stack))


async def test_an_event_delivered_twice_is_acted_on_once(stack: Layout) -> None:
    provider = SigningKey.load_or_create(stack.idp_state_dir)
    body = application(provider, stack.idp_issuer)
    applicant = Applicant.model_validate(body["applicant"])
    event = received(stack_sealer(stack), applicant, body["form"], body["identity_token"], body["service_id"])
    # A marker after the two copies, with the same key (so it follows them through every partition and lane):
    # once its results are there, a second result of the copies would be there too.
    marker = event.model_copy(update={"event_id": uuid4()})
    watched = [topics.IDENTITY_VERIFIED, topics.SUBMISSION_ROUTED, topics.agency_submissions("koeln-gewerbe")]
    consumer = await open_tail(stack.kafka_admin, *watched)
    producer = AIOKafkaProducer(**client_options(stack.kafka_admin), acks="all", enable_idempotence=True)
    await producer.start()
    for sent in (event, event, marker):  # what a producer retry or a consumer crash before its commit looks like
        await producer.send_and_wait(
            topics.SUBMISSION_RECEIVED, sent.model_dump_json().encode(), key=str(event.submission_id).encode()
        )
    await producer.stop()

    copies, markers = results_of(event), results_of(marker)
    seen: list[tuple[str, UUID]] = []
    deadline = time.monotonic() + 60
    while not set(markers) <= set(seen):
        assert time.monotonic() < deadline, f"the marker did not come through: {seen}"
        seen += [
            (record.topic, UUID(_opened(record.topic, record.value, stack)["event_id"]))
            for batch in (await consumer.getmany(timeout_ms=500)).values()
            for record in batch
        ]
    await consumer.stop()
    assert sorted(item for item in seen if item in copies) == sorted(copies)  # each result exactly once

    # Notify: every window of the application closed and its messages handed on; then one mail, not one per copy.
    notify_store: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(stack.mongo_uri)
    database = notify_store["civicflow_notify"]

    async def notify_done() -> bool:
        submission_id = str(event.submission_id)
        open_windows = await database["windows"].count_documents({"_id": submission_id})
        statuses = [n["status"] async for n in database["notifications"].find({"submission_id": submission_id})]
        return open_windows == 0 and statuses != [] and "created" not in statuses

    await eventually(notify_done, bool, timeout=60)
    await notify_store.close()
    assert mailed_steps(stack.mail_dir, str(event.submission_id)) == ["routed"]


def _opened(topic: str, value: bytes, stack: Layout) -> dict[str, Any]:
    """An event as JSON; the application on the agency topic as the agency decrypts it (the event id is inside)."""
    if topic == topics.agency_submissions("koeln-gewerbe"):
        return open_record(value, stack, "koeln-gewerbe")
    read: dict[str, Any] = json.loads(value)
    return read


def results_of(received: SubmissionReceived) -> list[tuple[str, UUID]]:
    """The events the pipeline derives from one received event, on the topics the test watches."""
    verified = derive_event_id(received.event_id, IdentityVerified.step)
    return [
        (topics.IDENTITY_VERIFIED, verified),
        (topics.SUBMISSION_ROUTED, derive_event_id(verified, SubmissionRouted.step)),
        (topics.agency_submissions("koeln-gewerbe"), derive_event_id(verified, Step.DELIVERED)),
    ]


async def test_make_demo_shows_the_whole_journey(stack: Layout, capsys: pytest.CaptureFixture[str]) -> None:
    assert await run_demo(stack) == 0
    # received, verified and routed within notify's window (3 s locally): one message, from the routed template
    assert "received → verified → routed → notified (1 message: routed, sending)" in capsys.readouterr().out


async def test_a_dev_token_from_the_command_line_is_accepted(
    stack: Layout, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CIVICFLOW_VAR_DIR", str(stack.var_dir))
    arguments = [
        "dev-token",
        "--given-name",
        "Erika",
        "--family-name",
        "Mustermann",
        "--birth-date",
        "1964-08-12",
        "--loa",
        "substantial",
        "--issuer",
        stack.idp_issuer,
    ]
    assert cli.main(arguments) == 0
    token = capsys.readouterr().out.strip()
    body = application(SigningKey.load_or_create(stack.idp_state_dir), stack.idp_issuer) | {"identity_token": token}
    async with httpx.AsyncClient(base_url=stack.intake_url, timeout=10.0) as client:
        status = await until_settled(client, await post(client, body, "routed"))
    assert status["status"] == "routed"
    verified = next(entry for entry in status["timeline"] if entry["step"] == "verified")
    assert verified["level_of_assurance"] == "substantial"


async def test_the_benchmark_reports_throughput_and_latency(stack: Layout, capsys: pytest.CaptureFixture[str]) -> None:
    assert await run_bench(stack, count=20, concurrency=5, relay_messages=2000, open_loop_seconds=5.0) == 0
    out = capsys.readouterr().out
    assert re.search(r"^bare relay, 4 hops, 1 KB +2000 +2000 +0 +[0-9]+ msg/s", out, re.MULTILINE)
    ms = r"[0-9]+ ms"
    assert re.search(rf"^closed loop, 5 in flight +20 +20 +0 +[0-9.]+ app/s +{ms} +{ms} +{ms}$", out, re.MULTILINE)
    assert re.search(rf"^open loop at [0-9.]+/s +(\d+) +\1 +0 +[0-9.]+ app/s +{ms} +{ms} +{ms}$", out, re.MULTILINE)
    assert re.search(r"^accepted \(closed loop, 5 in flight\): 20 of 20 in [0-9.]+ s = [0-9.]+/s$", out, re.MULTILINE)
    assert re.search(r"^ratio: CivicFlow [0-9.]+ app/s / bare relay [0-9]+ msg/s = [0-9.]+ %$", out, re.MULTILINE)
    assert re.search(r"^relay CPU per message: [0-9.]+ ms in the relay", out, re.MULTILINE)
    # CPU per application and peak RSS for every component started here, the four services at least
    table = dict(re.findall(r"^([a-z]+(?: client)?) +([0-9.]+) +[0-9]+$", out, re.MULTILINE))
    assert {"intake", "identity", "routing", "notify", "total", "bench client"} <= table.keys()
    assert all(float(table[service]) > 0 for service in ("intake", "identity", "routing", "notify"))
    assert "component       CPU ms/app  peak RSS MiB" in out
