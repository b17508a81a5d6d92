"""The agency kit against the real Kafka, as the agency's principal: applications encrypted to the agency's key
arrive at its webhook once each, signed; a crash between handler and commit does not deliver one twice; a record
it cannot open does not hold up the ones behind it; the installed command does the same."""

import asyncio
import json
import os
import signal
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from uuid import uuid4

import httpx
import pytest
from aiokafka import AIOKafkaProducer
from civicflow_agency import wire
from civicflow_agency.handlers import WebhookHandler
from civicflow_agency.inbox import Commit, Inbox
from civicflow_agency.kafka import Connection, committer, consume, open_consumer, pausing_sleep
from civicflow_agency.records import Record
from civicflow_agency.signature import verify_webhook
from civicflow_agency.state import InboxState
from joserfc.jwk import RSAKey

from civicflow.local.layout import Layout
from civicflow.shared import topics
from civicflow.shared.kafka import PRODUCER_OPTIONS, client_options
from civicflow.shared.security.access import agency_principal

pytestmark = pytest.mark.integration

AGENCY = "koeln-gewerbe"
TOPIC = topics.agency_submissions(AGENCY)
SECRETS = ["current-webhook-secret", "previous-webhook-secret"]
WITHIN_SECONDS = 60


class Receiver:
    """The agency's system: a real HTTP server that checks each request's signature as an agency would."""

    def __init__(self, secrets: list[str], fail_first: int = 0) -> None:
        self.secrets, self.fail_first = secrets, fail_first
        self.ids: list[str] = []
        self.refused = 0

    def _take(self, headers: dict[str, str], body: bytes) -> int:
        if not verify_webhook(headers, body, self.secrets, now=time.time()):
            self.refused += 1
            return 401
        if self.fail_first:  # the agency's system is down for a moment
            self.fail_first -= 1
            return 503
        self.ids.append(json.loads(body)["submission_id"])
        return 204

    @contextmanager
    def serving(self) -> Iterator[str]:
        take = self._take

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                self.send_response(take(dict(self.headers.items()), body))
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                pass

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        try:
            yield f"http://127.0.0.1:{server.server_address[1]}/civicflow"
        finally:
            server.shutdown()
            server.server_close()


@pytest.fixture
def agency_key() -> RSAKey:
    """A key of each test's own: the records other tests left on the topic are then not for it, as another
    agency's would be, and only its own reach its receiver."""
    return wire.new_key()


@pytest.fixture
def connection(stack: Layout) -> Connection:
    """As the agency connects: its own principal, which may read its topic and use its consumer groups only."""
    settings = stack.kafka_as(agency_principal(AGENCY))
    password = settings.sasl_password.get_secret_value() if settings.sasl_password else None
    return Connection(
        settings.bootstrap_servers, settings.security_protocol, settings.sasl_username, password, settings.ssl_cafile
    )


async def send(stack: Layout, *records: tuple[str, bytes]) -> list[int]:
    """As routing writes them (the admin here: only routing's principal may), all to one partition, so that
    their order is the order the agency must get them in. The offsets, in order."""
    producer = AIOKafkaProducer(**client_options(stack.kafka_admin), **PRODUCER_OPTIONS)
    await producer.start()
    try:
        offsets = []
        for submission_id, value in records:
            headers = wire.clear_headers(
                submission_id=submission_id,
                service_id="99050012104000",
                agency_id=AGENCY,
                received_at=datetime.now(UTC),
                sent_at=datetime.now(UTC),
            )
            sent = await producer.send_and_wait(
                TOPIC,
                value,
                key=submission_id.encode(),
                partition=0,
                headers=[(name, header.encode()) for name, header in headers.items()],
            )
            offsets.append(sent.offset)
        return offsets
    finally:
        await producer.stop()


def sealed(key: RSAKey, submission_id: str) -> bytes:
    application = {"submission_id": submission_id, "applicant": {"name": "Erika Mustermann"}}
    return wire.encrypt(json.dumps(application).encode(), key).encode()


async def until(condition: Callable[[], bool], listening: "asyncio.Task[None]") -> None:
    deadline = time.monotonic() + WITHIN_SECONDS
    while not condition():
        if listening.done():
            listening.result()  # the listener's own failure, not a timeout
            raise AssertionError("the listener stopped before the condition held")
        assert time.monotonic() < deadline, "not within the time allowed"
        await asyncio.sleep(0.1)


@contextmanager
def state_at(directory: Path) -> Iterator[InboxState]:
    state = InboxState(directory)
    try:
        yield state
    finally:
        state.close()


async def listen_until(
    connection: Connection,
    inbox: Inbox,
    condition: Callable[[], bool],
    group_id: str,
    commit: Callable[[Commit], Commit] = lambda commit: commit,
) -> None:
    """Runs the listener (a fresh member of `group_id`) until `condition` holds, then stops it."""
    consumer = await open_consumer(connection, AGENCY, group_id)
    inbox.sleep = pausing_sleep(consumer)
    stop = asyncio.Event()
    listening = asyncio.create_task(consume(consumer, inbox, stop, commit(committer(consumer))))
    try:
        await until(condition, listening)
    finally:
        stop.set()
        try:
            await asyncio.wait_for(listening, WITHIN_SECONDS)
        finally:
            await consumer.stop()


async def test_every_application_arrives_once_signed_and_an_unreadable_one_does_not_stall_the_rest(
    stack: Layout, connection: Connection, agency_key: RSAKey, tmp_path: Path
) -> None:
    ids = [f"kit-{uuid4()}" for _ in range(5)]
    first, for_another, broken, fourth, fifth = ids
    offsets = await send(
        stack,
        (first, sealed(agency_key, first)),
        (for_another, sealed(wire.new_key(), for_another)),
        (broken, b"not a JWE at all"),
        (fourth, sealed(agency_key, fourth)),
        (fifth, sealed(agency_key, fifth)),
    )
    receiver = Receiver(SECRETS, fail_first=1)  # the first attempt finds the agency's system down
    group = f"agency.{AGENCY}.inbox-{uuid4().hex[:8]}"
    with receiver.serving() as url, state_at(tmp_path / "state") as state:
        async with httpx.AsyncClient(timeout=5) as client:
            inbox = Inbox([agency_key], state, WebhookHandler(url, SECRETS, client))
            await listen_until(connection, inbox, lambda: fifth in receiver.ids, group)
        assert Counter(receiver.ids) == {first: 1, fourth: 1, fifth: 1}
        assert receiver.ids == [first, fourth, fifth] and receiver.refused == 0
        set_aside = {kept.submission_id: kept for kept in state.undecryptable() if kept.submission_id in ids}
        assert set(set_aside) == {for_another, broken}
        assert set_aside[for_another].offset == offsets[1] and set_aside[broken].value == b"not a JWE at all"


class Crash(Exception):
    """The listener's process dies after the submission was recorded as handled, before its offset is committed."""


async def test_a_crash_between_handler_and_commit_does_not_deliver_an_application_twice(
    stack: Layout, connection: Connection, agency_key: RSAKey, tmp_path: Path
) -> None:
    ids = [f"kit-{uuid4()}" for _ in range(3)]
    offsets = await send(stack, *((submission_id, sealed(agency_key, submission_id)) for submission_id in ids))
    receiver, committed = Receiver(SECRETS), []
    group = f"agency.{AGENCY}.inbox-{uuid4().hex[:8]}"

    def crash_at_second(commit: Commit) -> Commit:
        async def crashing(record: Record) -> None:
            if record.key == ids[1].encode():
                raise Crash
            await commit(record)

        return crashing

    def recording(commit: Commit) -> Commit:
        async def recorded(record: Record) -> None:
            await commit(record)
            committed.append((record.partition, record.offset))

        return recorded

    with receiver.serving() as url:
        async with httpx.AsyncClient(timeout=5) as client:
            with state_at(tmp_path / "state") as state:
                inbox = Inbox([agency_key], state, WebhookHandler(url, SECRETS, client))
                with pytest.raises(Crash):
                    await listen_until(connection, inbox, lambda: False, group, crash_at_second)
            assert receiver.ids == ids[:2]
            # Restarted with the same state: the second comes again, is committed, and is not handed over again.
            with state_at(tmp_path / "state") as state:
                inbox = Inbox([agency_key], state, WebhookHandler(url, SECRETS, client))
                await listen_until(connection, inbox, lambda: (0, offsets[2]) in committed, group, recording)
    assert (0, offsets[1]) in committed
    assert receiver.ids == ids


async def test_the_installed_command_listens_as_the_agency_and_stops_cleanly(
    stack: Layout, agency_key: RSAKey, tmp_path: Path
) -> None:
    if stack.external_kafka:
        pytest.skip("an external broker's agency credentials are its operator's")
    key_file = tmp_path / "private.jwk"
    key_file.write_text(json.dumps(agency_key.as_dict(private=True)))
    key_file.chmod(0o600)
    submission_id = f"kit-{uuid4()}"
    await send(stack, (submission_id, sealed(agency_key, submission_id)))
    inbox = tmp_path / "inbox"
    command = [
        *(str(Path(sys.executable).with_name("civicflow-agency")), "listen"),
        *("--agency", AGENCY, "--key", str(key_file)),
        *("--bootstrap", stack.kafka_bootstrap, "--security-protocol", "SASL_PLAINTEXT"),
        *("--sasl-password-file", str(stack.secrets.kafka_dir / agency_principal(AGENCY))),
        *("--state", str(tmp_path / "state"), "--handler", f"dir:{inbox}"),
    ]
    listener = await asyncio.create_subprocess_exec(*command, stderr=asyncio.subprocess.PIPE)
    try:
        deadline = time.monotonic() + WITHIN_SECONDS
        while not (inbox / f"{submission_id}.json").exists():
            assert listener.returncode is None, "the listener exited"
            assert time.monotonic() < deadline, "no file within the time allowed"
            await asyncio.sleep(0.2)
    finally:
        if listener.returncode is None:
            listener.send_signal(signal.SIGTERM)
        _, errors = await asyncio.wait_for(listener.communicate(), WITHIN_SECONDS)
    document = json.loads((inbox / f"{submission_id}.json").read_text())
    assert document["application"]["applicant"]["name"] == "Erika Mustermann"
    assert listener.returncode == 0, errors.decode()
    assert "Erika" not in errors.decode()  # stderr reports ids and offsets, never content
    assert os.stat(inbox / f"{submission_id}.json").st_mode & 0o077 == 0
