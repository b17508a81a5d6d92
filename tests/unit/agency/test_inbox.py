"""The listener's core without Kafka: each application handed over once, in order, committed only after."""

import json
import logging
from datetime import UTC, datetime
from pathlib import Path

import pytest
from civicflow_agency import wire
from civicflow_agency.inbox import Backoff, HandlerFailed, Inbox, Outcome
from civicflow_agency.records import Application, Record
from civicflow_agency.state import InboxState
from joserfc.jwk import RSAKey

TOPIC = "agency.koeln-gewerbe.submissions"
SECRET_NAME = "Erika Mustermann"  # must never reach a log line


class FakeHandler:
    def __init__(self, failures: int = 0) -> None:
        self.received: list[Application] = []
        self.failures = failures

    async def handle(self, application: Application) -> None:
        if self.failures:
            self.failures -= 1
            raise HandlerFailed("webhook answered HTTP 503")
        self.received.append(application)


class Commits:
    def __init__(self, crash_at: int | None = None) -> None:
        self.offsets: list[int] = []
        self.crash_at = crash_at

    async def __call__(self, record: Record) -> None:
        if record.offset == self.crash_at:
            raise Crash
        self.offsets.append(record.offset)


class Crash(Exception):
    """The process dies between recording the submission as handled and committing its offset."""


class Sleeps:
    def __init__(self) -> None:
        self.seconds: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.seconds.append(seconds)


def record(offset: int, submission_id: str, key: RSAKey, plaintext: bytes | None = None) -> Record:
    content = plaintext or json.dumps({"name": SECRET_NAME, "n": offset}).encode()
    headers = wire.clear_headers(
        submission_id=submission_id,
        service_id="99050012104000",
        agency_id="koeln-gewerbe",
        received_at=datetime(2026, 11, 27, 9, tzinfo=UTC),
        sent_at=datetime(2026, 11, 27, 9, 1, tzinfo=UTC),
    )
    encoded = tuple((name, value.encode()) for name, value in headers.items())
    return Record(TOPIC, 0, offset, submission_id.encode(), wire.encrypt(content, key).encode(), encoded)


def inbox(tmp_path: Path, key: RSAKey, handler: FakeHandler, sleeps: Sleeps | None = None) -> Inbox:
    return Inbox([key], InboxState(tmp_path / "state"), handler, sleep=sleeps or Sleeps())


async def test_an_application_is_handed_over_decrypted_with_its_clear_headers_then_committed(
    tmp_path: Path, agency_key: RSAKey
) -> None:
    handler, commits = FakeHandler(), Commits()
    assert await inbox(tmp_path, agency_key, handler).take(record(7, "s-7", agency_key), commits) is Outcome.HANDLED
    (application,) = handler.received
    assert application.submission_id == "s-7" and application.content == {"name": SECRET_NAME, "n": 7}
    assert application.headers[wire.HEADER_AGENCY_ID] == "koeln-gewerbe"
    assert commits.offsets == [7]


async def test_a_redelivery_of_a_handled_submission_is_committed_without_calling_the_handler(
    tmp_path: Path, agency_key: RSAKey
) -> None:
    handler, commits = FakeHandler(), Commits()
    listener = inbox(tmp_path, agency_key, handler)
    await listener.take(record(1, "s-1", agency_key), commits)
    # The same submission again, e.g. at another offset after routing's own redelivery.
    assert await listener.take(record(2, "s-1", agency_key), commits) is Outcome.DUPLICATE
    assert len(handler.received) == 1 and commits.offsets == [1, 2]


async def test_a_crash_between_handler_and_commit_does_not_call_the_handler_twice(
    tmp_path: Path, agency_key: RSAKey
) -> None:
    handler = FakeHandler()
    with pytest.raises(Crash):
        await inbox(tmp_path, agency_key, handler).take(record(3, "s-3", agency_key), Commits(crash_at=3))
    # Restarted: a new process with the same --state gets the uncommitted record again.
    commits = Commits()
    restarted = inbox(tmp_path, agency_key, handler)
    assert await restarted.take(record(3, "s-3", agency_key), commits) is Outcome.DUPLICATE
    assert [application.submission_id for application in handler.received] == ["s-3"]
    assert commits.offsets == [3]


async def test_a_failing_handler_is_retried_with_backoff_and_nothing_is_committed_meanwhile(
    tmp_path: Path, agency_key: RSAKey
) -> None:
    handler, sleeps = FakeHandler(failures=3), Sleeps()
    commits = Commits()

    async def commit(committed: Record) -> None:
        assert len(handler.received) == 1  # only once the handler succeeded
        await commits(committed)

    listener = inbox(tmp_path, agency_key, handler, sleeps)
    assert await listener.take(record(5, "s-5", agency_key), commit) is Outcome.HANDLED
    assert sleeps.seconds == [1.0, 2.0, 4.0] and commits.offsets == [5]


def test_the_backoff_doubles_up_to_its_ceiling() -> None:
    assert [Backoff().delay(attempt) for attempt in (1, 2, 3, 6, 7, 20)] == [1, 2, 4, 32, 60, 60]


async def test_a_record_for_another_agency_is_set_aside_and_the_next_one_is_handled(
    tmp_path: Path, agency_key: RSAKey, other_agency_key: RSAKey, caplog: pytest.LogCaptureFixture
) -> None:
    handler, commits = FakeHandler(), Commits()
    listener = inbox(tmp_path, agency_key, handler)
    with caplog.at_level(logging.INFO):
        assert await listener.take(record(10, "s-10", other_agency_key), commits) is Outcome.SET_ASIDE
        assert await listener.take(record(11, "s-11", agency_key), commits) is Outcome.HANDLED
    assert [application.submission_id for application in handler.received] == ["s-11"]
    assert commits.offsets == [10, 11]
    (kept,) = listener.state.undecryptable()
    assert (kept.offset, kept.submission_id, kept.reason) == (10, "s-10", "not for this agency's keys")
    report = caplog.text
    assert "offset 10" in report and "s-10" in report and "not for this agency's keys" in report
    assert SECRET_NAME not in report


async def test_a_record_that_is_not_json_is_set_aside_without_quoting_it(
    tmp_path: Path, agency_key: RSAKey, caplog: pytest.LogCaptureFixture
) -> None:
    handler, commits = FakeHandler(), Commits()
    broken = record(12, "s-12", agency_key, plaintext=f"{SECRET_NAME}, not JSON".encode())
    with caplog.at_level(logging.INFO):
        assert await inbox(tmp_path, agency_key, handler).take(broken, commits) is Outcome.SET_ASIDE
    assert handler.received == [] and commits.offsets == [12]
    assert "not JSON" in caplog.text and SECRET_NAME not in caplog.text


async def test_a_record_without_a_usable_submission_id_is_set_aside(tmp_path: Path, agency_key: RSAKey) -> None:
    handler, commits = FakeHandler(), Commits()
    nameless = Record(TOPIC, 1, 4, None, wire.encrypt(b"{}", agency_key).encode())
    traversal = Record(TOPIC, 1, 5, b"../../etc/passwd", wire.encrypt(b"{}", agency_key).encode())
    listener = inbox(tmp_path, agency_key, handler)
    for bad in (nameless, traversal):
        assert await listener.take(bad, commits) is Outcome.SET_ASIDE
    assert handler.received == [] and commits.offsets == [4, 5]


def answer(offset: int, submission_id: str, event_id: str, key: RSAKey, kind: str = wire.KIND_INFORMATION) -> Record:
    """The citizen's answer to the agency's request for information, as CivicFlow sends it."""
    content = {"event_id": event_id, "submission_id": submission_id, "kind": kind, "answer": f"{SECRET_NAME}, Miete"}
    sent = record(offset, submission_id, key, json.dumps(content).encode())
    return Record(sent.topic, sent.partition, sent.offset, sent.key, sent.value,
                  (*sent.headers, (wire.HEADER_MESSAGE_KIND, kind.encode())))  # fmt: skip


FIRST_ANSWER, SECOND_ANSWER = "0b9f3c2a-1d4e-4f6a-8b7c-9d0e1f2a3b4c", "7c6d5e4f-3a2b-4c1d-9e8f-7a6b5c4d3e2f"


async def test_an_answer_after_the_application_is_handed_over_as_information(
    tmp_path: Path, agency_key: RSAKey
) -> None:
    handler, commits = FakeHandler(), Commits()
    listener = inbox(tmp_path, agency_key, handler)
    assert await listener.take(record(1, "s-1", agency_key), commits) is Outcome.HANDLED
    assert await listener.take(answer(2, "s-1", FIRST_ANSWER, agency_key), commits) is Outcome.HANDLED
    application, information = handler.received
    assert (application.kind, application.handled_id) == (wire.KIND_APPLICATION, "s-1")
    assert information.kind == wire.KIND_INFORMATION and information.event_id == FIRST_ANSWER
    assert information.handled_id == f"s-1.information.{FIRST_ANSWER}"
    assert information.content["answer"] == f"{SECRET_NAME}, Miete"
    assert information.document()["information"] == information.content and commits.offsets == [1, 2]


async def test_each_answer_to_a_submission_is_handed_over_once_however_often_it_comes(
    tmp_path: Path, agency_key: RSAKey
) -> None:
    handler, commits = FakeHandler(), Commits()
    listener = inbox(tmp_path, agency_key, handler)
    sent = [answer(3, "s-1", FIRST_ANSWER, agency_key), answer(4, "s-1", SECOND_ANSWER, agency_key)]
    assert [await listener.take(message, commits) for message in sent] == [Outcome.HANDLED, Outcome.HANDLED]
    # The first answer again: a redelivery, at the same offset after a crash or at another after CivicFlow's retry.
    for again in (answer(4, "s-1", FIRST_ANSWER, agency_key), answer(9, "s-1", FIRST_ANSWER, agency_key)):
        assert await listener.take(again, commits) is Outcome.DUPLICATE
    assert [information.event_id for information in handler.received] == [FIRST_ANSWER, SECOND_ANSWER]
    assert commits.offsets == [3, 4, 4, 9]


async def test_an_answer_recorded_before_a_crash_is_not_handed_over_again_after_the_restart(
    tmp_path: Path, agency_key: RSAKey
) -> None:
    handler = FakeHandler()
    with pytest.raises(Crash):
        await inbox(tmp_path, agency_key, handler).take(answer(6, "s-6", FIRST_ANSWER, agency_key), Commits(6))
    restarted, commits = inbox(tmp_path, agency_key, handler), Commits()
    assert await restarted.take(answer(6, "s-6", FIRST_ANSWER, agency_key), commits) is Outcome.DUPLICATE
    assert len(handler.received) == 1 and commits.offsets == [6]


async def test_an_answer_without_an_event_id_or_of_an_unknown_kind_is_set_aside(
    tmp_path: Path, agency_key: RSAKey, caplog: pytest.LogCaptureFixture
) -> None:
    handler, commits = FakeHandler(), Commits()
    listener = inbox(tmp_path, agency_key, handler)
    with caplog.at_level(logging.INFO):
        assert await listener.take(answer(7, "s-7", "not-a-uuid", agency_key), commits) is Outcome.SET_ASIDE
        unknown = answer(8, "s-8", FIRST_ANSWER, agency_key, kind="appeal")
        assert await listener.take(unknown, commits) is Outcome.SET_ASIDE
    assert handler.received == [] and commits.offsets == [7, 8]
    reasons = {kept.submission_id: kept.reason for kept in listener.state.undecryptable()}
    assert reasons == {"s-7": "information without a UUID event_id", "s-8": "a message of unknown kind 'appeal'"}
    assert SECRET_NAME not in caplog.text
