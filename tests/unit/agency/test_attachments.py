"""Fetching attachments (the library, `civicflow-agency fetch`, `listen --attachments-from`) from a real HTTP server
on loopback that plays CivicFlow's attachment endpoint: it checks the bearer token as CivicFlow does
(wire.check_access_token) and answers a JWE made with wire.encrypt."""

import functools
import hashlib
import json
import re
import stat
import threading
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest
from civicflow_agency import wire
from civicflow_agency.attaching import WithAttachments
from civicflow_agency.attachments import (
    AttachmentRef,
    AttachmentRefused,
    AttachmentSource,
    AttachmentTooLarge,
    AttachmentUnavailable,
    AttachmentUnreadable,
    application_attachments,
    fetch_attachment,
)
from civicflow_agency.cli import main
from civicflow_agency.handlers import DirectoryHandler
from civicflow_agency.inbox import HandlerFailed, Inbox, Outcome
from civicflow_agency.records import Application, Record
from civicflow_agency.state import InboxState
from joserfc.jwk import RSAKey

AGENCY = "koeln-gewerbe"
PDF = b"%PDF-1.7\n" + bytes(range(256)) * 40
ATTACHMENT_ID = "6f1c2d3e-4a5b-4c6d-8e7f-9a0b1c2d3e4f"
REF: dict[str, Any] = {
    "attachment_id": ATTACHMENT_ID,
    "sha256": hashlib.sha256(PDF).hexdigest(),
    "media_type": "application/pdf",
    "size": len(PDF),
}
PATH = re.compile(r"^/v1/agencies/(?P<agency>[^/]+)/attachments/(?P<attachment>[^/]+)$")


@dataclass
class Answer:
    status: int
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    endless: bool = False  # a body that never ends, without a Content-Length


@dataclass
class CivicFlow:
    """The attachment endpoint: the agency's registered signing keys, the JWE it serves per attachment id, and
    answers to give instead (503, an endless body); every request's path is kept."""

    signing_keys: list[RSAKey]
    served: dict[str, bytes] = field(default_factory=dict)
    instead: dict[str, Answer] = field(default_factory=dict)
    requested: list[str] = field(default_factory=list)

    def answer(self, path: str, authorization: str) -> Answer:
        self.requested.append(path)
        match = PATH.match(path)
        if match is None:
            return problem(404, "no such path")
        if match["attachment"] in self.instead:
            return self.instead[match["attachment"]]
        try:
            wire.check_access_token(
                authorization.removeprefix("Bearer "),
                agency_id=match["agency"],
                attachment_id=match["attachment"],
                public_keys=self.signing_keys,
                now=int(time.time()),
            )
        except wire.AccessRefused as refused:
            return problem(401, str(refused))
        if match["attachment"] not in self.served:
            return problem(404, "no such attachment for this agency")
        return Answer(200, self.served[match["attachment"]], {"Content-Type": wire.MEDIA_TYPE})


def problem(status: int, detail: str) -> Answer:
    body = json.dumps({"type": "about:blank", "status": status, "detail": detail}).encode()
    return Answer(status, body, {"Content-Type": "application/problem+json"})


@contextmanager
def serving(civicflow: CivicFlow) -> Iterator[str]:
    class Endpoint(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            answer = civicflow.answer(self.path, self.headers.get("Authorization", ""))
            self.send_response(answer.status)
            for name, value in answer.headers.items():
                self.send_header(name, value)
            if not answer.endless:
                self.send_header("Content-Length", str(len(answer.body)))
            self.end_headers()
            try:
                self.wfile.write(answer.body)
                for _ in range(4096 if answer.endless else 0):  # 256 MiB, unless the client hangs up first
                    self.wfile.write(b"A" * 65536)
            except (BrokenPipeError, ConnectionResetError):
                pass

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Endpoint)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


def public(key: RSAKey) -> RSAKey:
    return RSAKey.import_key(key.as_dict(private=False))


@pytest.fixture
def civicflow(signing_key: RSAKey, agency_key: RSAKey) -> CivicFlow:
    return CivicFlow([public(signing_key)], {ATTACHMENT_ID: wire.encrypt(PDF, public(agency_key)).encode()})


async def fetch(url: str, signing_key: RSAKey, agency_key: RSAKey, ref: dict[str, Any] = REF) -> bytes:
    async with httpx.AsyncClient(timeout=5) as client:
        return await fetch_attachment(client, url, AGENCY, ref, signing_key, [agency_key])


async def test_the_file_comes_decrypted_and_checked(
    civicflow: CivicFlow, signing_key: RSAKey, agency_key: RSAKey
) -> None:
    with serving(civicflow) as url:
        assert await fetch(url, signing_key, agency_key) == PDF
    assert civicflow.requested == [f"/v1/agencies/{AGENCY}/attachments/{ATTACHMENT_ID}"]


async def test_a_file_that_is_not_the_one_the_application_names_is_refused(
    civicflow: CivicFlow, signing_key: RSAKey, agency_key: RSAKey
) -> None:
    civicflow.served[ATTACHMENT_ID] = wire.encrypt(PDF + b"\n% appended", public(agency_key)).encode()
    with serving(civicflow) as url, pytest.raises(AttachmentUnreadable, match="SHA-256") as refused:
        await fetch(url, signing_key, agency_key)
    assert not refused.value.retryable and ATTACHMENT_ID in str(refused.value)


async def test_a_file_encrypted_to_another_key_is_refused(
    civicflow: CivicFlow, signing_key: RSAKey, agency_key: RSAKey, other_agency_key: RSAKey
) -> None:
    civicflow.served[ATTACHMENT_ID] = wire.encrypt(PDF, public(other_agency_key)).encode()
    with serving(civicflow) as url, pytest.raises(AttachmentUnreadable, match="not a JWE to the agency's keys"):
        await fetch(url, signing_key, agency_key)


async def test_a_token_civicflow_does_not_accept_is_a_permanent_refusal(
    civicflow: CivicFlow, other_signing_key: RSAKey, agency_key: RSAKey
) -> None:
    with serving(civicflow) as url, pytest.raises(AttachmentRefused, match="HTTP 401: not signed") as refused:
        await fetch(url, other_signing_key, agency_key)
    assert refused.value.status == 401 and not refused.value.retryable


async def test_an_attachment_civicflow_does_not_have_is_a_permanent_refusal(
    civicflow: CivicFlow, signing_key: RSAKey, agency_key: RSAKey
) -> None:
    del civicflow.served[ATTACHMENT_ID]
    with serving(civicflow) as url, pytest.raises(AttachmentRefused, match="HTTP 404: no such attachment") as refused:
        await fetch(url, signing_key, agency_key)
    assert refused.value.status == 404 and not refused.value.retryable


async def test_a_damaged_file_at_civicflow_is_not_tried_again(
    civicflow: CivicFlow, signing_key: RSAKey, agency_key: RSAKey
) -> None:
    civicflow.instead[ATTACHMENT_ID] = problem(500, "The stored file is not the one accepted; it was not sent.")
    with serving(civicflow) as url, pytest.raises(AttachmentRefused, match="HTTP 500: The stored file") as refused:
        await fetch(url, signing_key, agency_key)
    assert not refused.value.retryable


@pytest.mark.parametrize(
    ("answer", "retry_after"),
    [
        (Answer(503, b'{"status": 503}', {"Retry-After": "7", "Content-Type": "application/problem+json"}), 7.0),
        (Answer(503, b"", {"Retry-After": "Fri, 27 Nov 2026 23:00:00 GMT"}), None),
        (Answer(502), None),
        (Answer(429, b"", {"Retry-After": "2"}), 2.0),
    ],
)
async def test_an_attachment_civicflow_cannot_serve_yet_is_tried_again_later(
    civicflow: CivicFlow, signing_key: RSAKey, agency_key: RSAKey, answer: Answer, retry_after: float | None
) -> None:
    civicflow.instead[ATTACHMENT_ID] = answer
    with serving(civicflow) as url, pytest.raises(AttachmentUnavailable, match=f"HTTP {answer.status}") as later:
        await fetch(url, signing_key, agency_key)
    assert later.value.retryable and later.value.retry_after == retry_after


async def test_civicflow_out_of_reach_is_tried_again_later(signing_key: RSAKey, agency_key: RSAKey) -> None:
    with pytest.raises(AttachmentUnavailable, match="ConnectError") as later:
        await fetch("http://127.0.0.1:1", signing_key, agency_key)  # nothing listens there
    assert later.value.retryable


@pytest.mark.parametrize(
    "answer",
    [
        Answer(200, b"A" * (len(PDF) * 2 + 20_000)),  # announced by its Content-Length
        Answer(200, endless=True),  # not announced, and it does not end: read only up to the limit
    ],
)
async def test_an_answer_larger_than_the_file_can_be_is_refused(
    civicflow: CivicFlow, signing_key: RSAKey, agency_key: RSAKey, answer: Answer
) -> None:
    civicflow.instead[ATTACHMENT_ID] = answer
    with serving(civicflow) as url, pytest.raises(AttachmentTooLarge, match="expected") as refused:
        await fetch(url, signing_key, agency_key)
    assert not refused.value.retryable


@pytest.mark.parametrize(
    ("change", "answer"),
    [
        ({"attachment_id": "../../etc/passwd"}, "is not a UUID"),
        ({"attachment_id": None}, "is not a UUID"),
        ({"sha256": "ABC"}, "sha256 is not 64 lower-case hex digits"),
        ({"sha256": REF["sha256"].upper()}, "sha256 is not 64 lower-case hex digits"),
        ({"media_type": "text/html"}, "media type is one of"),
        ({"size": 0}, "size is a whole number of bytes above 0"),
        ({"size": "12"}, "size is a whole number"),
        ({"size": True}, "size is a whole number"),
    ],
)
async def test_a_wrong_reference_is_refused_before_any_request(
    civicflow: CivicFlow, signing_key: RSAKey, agency_key: RSAKey, change: dict[str, Any], answer: str
) -> None:
    with serving(civicflow) as url, pytest.raises(ValueError, match=answer):
        await fetch(url, signing_key, agency_key, REF | change)
    assert civicflow.requested == []


@pytest.mark.parametrize(
    ("url", "agency", "answer"),
    [
        ("http://civicflow.example", AGENCY, "https://HOST"),
        ("ftp://127.0.0.1", AGENCY, "https://HOST"),
        ("https://", AGENCY, "https://HOST"),
        ("https://civicflow.example", "Köln", "agency id"),
    ],
)
async def test_a_wrong_url_or_agency_is_refused_before_any_request(
    signing_key: RSAKey, agency_key: RSAKey, url: str, agency: str, answer: str
) -> None:
    async with httpx.AsyncClient() as client:
        with pytest.raises(ValueError, match=answer):
            await fetch_attachment(client, url, agency, REF, signing_key, [agency_key])


def test_an_applications_attachments_are_read_from_what_a_handler_delivers_or_from_its_json_alone() -> None:
    application = {"service_id": "99050012104000", "attachments": [REF]}
    delivered = {"submission_id": "s-1", "kind": "application", "headers": {}, "application": application}
    expected = [AttachmentRef(ATTACHMENT_ID, REF["sha256"], "application/pdf", len(PDF))]
    assert application_attachments(delivered) == application_attachments(application) == expected
    assert expected[0].file_name == f"{ATTACHMENT_ID}.pdf"
    assert application_attachments({"kind": "application", "application": {"attachments": []}}) == []
    with pytest.raises(ValueError, match="kind 'information'"):
        application_attachments({"kind": "information", "information": {"attachments": [REF]}})
    for not_an_application in ({"attachments": {"a": REF}}, {"kty": "RSA"}, [REF]):
        with pytest.raises(ValueError, match="not an application's JSON"):
            application_attachments(not_an_application)
    with pytest.raises(ValueError, match="sha256"):
        application_attachments({"attachments": [REF | {"sha256": ""}]})


PNG_ID = "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PNG_REF: dict[str, Any] = {
    "attachment_id": PNG_ID,
    "sha256": hashlib.sha256(PNG).hexdigest(),
    "media_type": "image/png",
    "size": 72,
}


@pytest.fixture
def key_files(tmp_path: Path, signing_key: RSAKey, agency_key: RSAKey) -> list[str]:
    (tmp_path / "sig.jwk").write_text(json.dumps(signing_key.as_dict(private=True)))
    (tmp_path / "enc.jwk").write_text(json.dumps(agency_key.as_dict(private=True)))
    return ["--agency", AGENCY, "--signing-key", str(tmp_path / "sig.jwk"), "--key", str(tmp_path / "enc.jwk")]


@pytest.fixture
def application_file(tmp_path: Path) -> Path:
    application = {
        "submission_id": "s-1",
        "kind": "application",
        "headers": {},
        "application": {"attachments": [REF, PNG_REF]},
    }
    (tmp_path / "s-1.json").write_text(json.dumps(application))
    return tmp_path / "s-1.json"


def test_fetch_writes_each_attachment_of_an_application_for_the_agency_alone(
    civicflow: CivicFlow,
    agency_key: RSAKey,
    key_files: list[str],
    application_file: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    civicflow.served[PNG_ID] = wire.encrypt(PNG, public(agency_key)).encode()
    out = tmp_path / "files"
    with serving(civicflow) as url:
        assert (
            main(["fetch", "--url", url, *key_files, "--application", str(application_file), "--out-dir", str(out)])
            == 0
        )
    written = [out / f"{ATTACHMENT_ID}.pdf", out / f"{PNG_ID}.png"]
    assert capsys.readouterr().out.splitlines() == [str(path) for path in written]
    assert [path.read_bytes() for path in written] == [PDF, PNG]
    assert {stat.S_IMODE(path.stat().st_mode) for path in written} == {0o600}
    assert sorted(path.name for path in out.iterdir()) == sorted(path.name for path in written)  # nothing half


def test_fetch_reports_a_refused_attachment_and_still_writes_the_others(
    civicflow: CivicFlow,
    key_files: list[str],
    application_file: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    out = tmp_path / "files"  # the PNG is not served: 404
    with serving(civicflow) as url:
        assert (
            main(["fetch", "--url", url, *key_files, "--application", str(application_file), "--out-dir", str(out)])
            == 1
        )
    captured = capsys.readouterr()
    assert captured.out.splitlines() == [str(out / f"{ATTACHMENT_ID}.pdf")]
    assert captured.err.splitlines() == [
        f"civicflow-agency: attachment {PNG_ID}: CivicFlow refused it (HTTP 404: no such attachment for this agency)"
    ]
    assert not (out / f"{PNG_ID}.png").exists()


def test_fetch_writes_one_attachment_named_on_the_command_line(
    civicflow: CivicFlow, key_files: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    one = [
        "--attachment",
        ATTACHMENT_ID,
        "--sha256",
        REF["sha256"],
        "--media-type",
        "application/pdf",
        "--size",
        str(len(PDF)),
        "--out",
        str(tmp_path / "antrag.pdf"),
    ]
    with serving(civicflow) as url:
        assert main(["fetch", "--url", url, *key_files, *one]) == 0
    assert (tmp_path / "antrag.pdf").read_bytes() == PDF
    assert capsys.readouterr().out == f"{tmp_path / 'antrag.pdf'}\n"


@pytest.mark.parametrize(
    ("arguments", "answer"),
    [
        (["--application", "{app}"], "--application takes --out-dir DIR"),
        (["--application", "{app}", "--out-dir", "d", "--size", "3"], "--application takes --out-dir DIR"),
        (["--application", "{key}", "--out-dir", "d"], "sig.jwk: not an application's JSON"),
        (["--application", "missing.json", "--out-dir", "d"], "missing.json"),
        (
            ["--attachment", ATTACHMENT_ID, "--sha256", "0" * 64, "--media-type", "application/pdf", "--size", "9"],
            "--attachment takes --out FILE",
        ),
        (
            ["--attachment", ATTACHMENT_ID, "--sha256", "x", "--media-type", "image/png", "--size", "9", "--out", "f"],
            "sha256 is not 64 lower-case hex digits",
        ),
        (
            ["--attachment", "1", "--sha256", "0" * 64, "--media-type", "image/png", "--size", "9", "--out", "f"],
            "attachment id '1' is not a UUID",
        ),
        (["--application", "{app}", "--out-dir", "d", "--url", "http://civicflow.example"], "https://HOST"),
        (["--application", "{app}", "--out-dir", "d", "--signing-key", "{enc}"], "not a signing key"),
    ],
)
def test_fetch_answers_wrong_input_in_one_line_before_any_request(
    civicflow: CivicFlow,
    key_files: list[str],
    application_file: Path,
    tmp_path: Path,
    arguments: list[str],
    answer: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    files = {"app": application_file, "key": tmp_path / "sig.jwk", "enc": tmp_path / "enc.jwk"}
    arguments = [argument.format(**files) for argument in arguments]
    with serving(civicflow) as url:
        assert main(["fetch", "--url", url, *key_files, *arguments]) == 2
    captured = capsys.readouterr()
    assert answer in captured.err and len(captured.err.splitlines()) == 1 and captured.out == ""
    assert civicflow.requested == []


APPLICATION = Application("s-1", {"service_id": "99050012104000", "attachments": [REF, PNG_REF]}, {})


@pytest.fixture
async def attaching(
    civicflow: CivicFlow, signing_key: RSAKey, agency_key: RSAKey, tmp_path: Path
) -> AsyncIterator[WithAttachments]:
    civicflow.served[PNG_ID] = wire.encrypt(PNG, public(agency_key)).encode()
    with serving(civicflow) as url:
        async with httpx.AsyncClient(timeout=5) as client:
            source = AttachmentSource(url, AGENCY, signing_key, [agency_key])
            yield WithAttachments(DirectoryHandler(tmp_path / "inbox"), functools.partial(source.fetch, client))


async def test_listen_writes_the_attachments_beside_the_application(attaching: WithAttachments, tmp_path: Path) -> None:
    await attaching.handle(APPLICATION)
    inbox = tmp_path / "inbox"
    written = {path.name: path for path in inbox.iterdir()}
    pdf, png = f"s-1.attachment.{ATTACHMENT_ID}.pdf", f"s-1.attachment.{PNG_ID}.png"
    assert sorted(written) == sorted([pdf, png, "s-1.json"])
    assert (written[pdf].read_bytes(), written[png].read_bytes()) == (PDF, PNG)
    assert {stat.S_IMODE(path.stat().st_mode) for path in written.values()} == {0o600}


async def test_listen_hands_over_nothing_while_civicflow_cannot_serve_an_attachment_yet(
    attaching: WithAttachments, civicflow: CivicFlow, tmp_path: Path
) -> None:
    civicflow.instead[PNG_ID] = Answer(503, b"", {"Retry-After": "5"})
    with pytest.raises(HandlerFailed, match=f"attachment {PNG_ID}: CivicFlow cannot serve it now"):
        await attaching.handle(APPLICATION)
    assert not (tmp_path / "inbox" / "s-1.json").exists()  # the inbox tries the whole application again
    del civicflow.instead[PNG_ID]
    civicflow.requested.clear()
    await attaching.handle(APPLICATION)
    assert (tmp_path / "inbox" / "s-1.json").exists()
    assert civicflow.requested == [f"/v1/agencies/{AGENCY}/attachments/{PNG_ID}"]  # the PDF was there, whole


async def test_listen_hands_over_an_application_without_an_attachment_civicflow_refuses(
    attaching: WithAttachments, civicflow: CivicFlow, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    del civicflow.served[PNG_ID]
    await attaching.handle(APPLICATION)
    assert sorted(path.name for path in (tmp_path / "inbox").iterdir()) == [
        f"s-1.attachment.{ATTACHMENT_ID}.pdf",
        "s-1.json",
    ]
    assert f"submission s-1: attachment {PNG_ID}: CivicFlow refused it (HTTP 404" in caplog.text
    assert "handed over without it" in caplog.text


async def test_listen_fetches_nothing_for_an_answer(attaching: WithAttachments, civicflow: CivicFlow) -> None:
    event_id = "0b9f3c2a-1d4e-4f6a-8b7c-9d0e1f2a3b4c"
    await attaching.handle(
        Application("s-1", {"event_id": event_id, "attachments": [REF]}, {}, "information", event_id)
    )
    assert civicflow.requested == []


def test_listen_takes_attachments_only_with_a_signing_key_and_the_dir_handler(
    tmp_path: Path, key_files: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    listen = [
        "listen",
        "--key",
        str(tmp_path / "enc.jwk"),
        "--agency",
        AGENCY,
        "--bootstrap",
        "kafka:9093",
        "--state",
        str(tmp_path / "state"),
        "--attachments-from",
        "https://civicflow.example",
    ]
    assert main([*listen, "--handler", f"dir:{tmp_path}"]) == 2
    assert "--attachments-from and --signing-key go together" in capsys.readouterr().err
    assert main([*listen, "--handler", "print", "--signing-key", str(tmp_path / "sig.jwk")]) == 2
    assert "--attachments-from needs --handler dir:PATH" in capsys.readouterr().err


async def test_the_inbox_tries_again_with_its_backoff_until_civicflow_serves_the_attachment(
    attaching: WithAttachments, civicflow: CivicFlow, agency_key: RSAKey, tmp_path: Path
) -> None:
    civicflow.instead[PNG_ID] = Answer(503)
    slept: list[float] = []

    async def sleep(seconds: float) -> None:  # meanwhile, CivicFlow becomes ready
        slept.append(seconds)
        civicflow.instead.clear()

    content = json.dumps(APPLICATION.content).encode()
    headers = ((wire.HEADER_SUBMISSION_ID, b"s-1"),)
    record = Record(
        f"agency.{AGENCY}.submissions", 0, 3, b"s-1", wire.encrypt(content, public(agency_key)).encode(), headers
    )
    inbox = Inbox([agency_key], InboxState(tmp_path / "state"), attaching, sleep=sleep)
    committed: list[int] = []

    async def commit(taken: Record) -> None:
        committed.append(taken.offset)

    assert await inbox.take(record, commit) is Outcome.HANDLED
    assert (slept, committed) == ([1.0], [3])
    assert (tmp_path / "inbox" / f"s-1.attachment.{PNG_ID}.png").read_bytes() == PNG
