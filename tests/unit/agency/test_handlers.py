"""The print, dir and webhook handlers, for applications and answers, and choosing a handler from --handler."""

import json
import stat
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest
from civicflow_agency.handlers import (
    KIND_HEADER,
    SUBMISSION_HEADER,
    DirectoryHandler,
    PrintHandler,
    WebhookHandler,
    handler_from_spec,
    write_atomically,
)
from civicflow_agency.inbox import HandlerFailed
from civicflow_agency.records import Application
from civicflow_agency.signature import verify_webhook

APPLICATION = Application("s-1", {"service": "Gewerbeanmeldung", "name": "Erika Mustermann"}, {"x": "y"})


async def test_print_writes_one_json_line_per_application(capsys: pytest.CaptureFixture[str]) -> None:
    await PrintHandler().handle(APPLICATION)
    await PrintHandler().handle(Application("s-2", {"n": 2}, {}))
    lines = capsys.readouterr().out.splitlines()
    assert [json.loads(line)["submission_id"] for line in lines] == ["s-1", "s-2"]
    assert json.loads(lines[0]) == APPLICATION.document()


async def test_dir_writes_one_private_file_per_submission_and_nothing_else(tmp_path: Path) -> None:
    await DirectoryHandler(tmp_path / "inbox").handle(APPLICATION)
    written = tmp_path / "inbox" / "s-1.json"
    assert json.loads(written.read_text()) == APPLICATION.document()
    assert stat.S_IMODE(written.stat().st_mode) == 0o600
    assert [path.name for path in (tmp_path / "inbox").iterdir()] == ["s-1.json"]  # no temporary file left


def test_a_rewrite_replaces_the_file_by_rename_never_in_place(tmp_path: Path) -> None:
    path = tmp_path / "s-1.json"
    write_atomically(path, b'{"old": true}')
    with path.open("rb") as reader_of_the_old:  # a reader that opened the file before the rewrite
        first_inode = path.stat().st_ino
        write_atomically(path, b'{"new": true}')
        assert reader_of_the_old.read() == b'{"old": true}'  # still whole: the old file was not truncated
    assert path.read_bytes() == b'{"new": true}' and path.stat().st_ino != first_inode


async def test_a_directory_that_cannot_be_written_is_a_handler_failure(tmp_path: Path) -> None:
    (tmp_path / "a-file").write_text("")
    with pytest.raises(HandlerFailed, match="cannot write"):
        await DirectoryHandler(tmp_path / "a-file" / "inbox").handle(APPLICATION)


async def test_the_handler_is_chosen_by_its_spec(tmp_path: Path) -> None:
    async with httpx.AsyncClient() as client:
        assert isinstance(handler_from_spec("print", [], client), PrintHandler)
        assert isinstance(handler_from_spec(f"dir:{tmp_path}", [], client), DirectoryHandler)
        assert isinstance(handler_from_spec("webhook:https://agency.example/in", ["s"], client), WebhookHandler)
        with pytest.raises(ValueError, match="one or two secrets"):
            handler_from_spec("webhook:https://agency.example/in", [], client)
        for wrong in ("mail:x", "dir:", "webhook:ftp://x", "print:x"):
            with pytest.raises(ValueError, match="expected print"):
                handler_from_spec(wrong, ["s"], client)


EVENT_ID = "0b9f3c2a-1d4e-4f6a-8b7c-9d0e1f2a3b4c"
ANSWER = Application("s-1", {"event_id": EVENT_ID, "answer": "Mietvertrag anbei"}, {}, "information", EVENT_ID)


async def test_an_answer_is_delivered_as_information_beside_its_application(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    await PrintHandler().handle(ANSWER)
    printed = json.loads(capsys.readouterr().out)
    assert (printed["kind"], printed["information"]) == ("information", ANSWER.content) and "application" not in printed
    await DirectoryHandler(tmp_path / "inbox").handle(APPLICATION)
    await DirectoryHandler(tmp_path / "inbox").handle(ANSWER)
    written = sorted(path.name for path in (tmp_path / "inbox").iterdir())
    assert written == ["s-1.information.0b9f3c2a-1d4e-4f6a-8b7c-9d0e1f2a3b4c.json", "s-1.json"]
    assert json.loads((tmp_path / "inbox" / "s-1.json").read_text())["kind"] == "application"


@contextmanager
def receiving(received: list[tuple[dict[str, str], bytes]]) -> Iterator[str]:
    """The agency's system: a real HTTP server on loopback, keeping each request's headers and body."""

    class Receiver(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            received.append((dict(self.headers.items()), self.rfile.read(int(self.headers["Content-Length"]))))
            self.send_response(204)
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/civicflow"
    finally:
        server.shutdown()
        server.server_close()


async def test_the_webhook_names_the_kind_of_each_message_in_a_header() -> None:
    received: list[tuple[dict[str, str], bytes]] = []
    with receiving(received) as url:
        async with httpx.AsyncClient(timeout=5) as client:
            for message in (APPLICATION, ANSWER):
                await WebhookHandler(url, ["secret"], client).handle(message)
    assert [(headers[KIND_HEADER], headers[SUBMISSION_HEADER]) for headers, _ in received] == [
        ("application", "s-1"),
        ("information", "s-1"),
    ]
    assert all(verify_webhook(headers, body, ["secret"], now=time.time()) for headers, body in received)
    assert json.loads(received[1][1]) == ANSWER.document()
