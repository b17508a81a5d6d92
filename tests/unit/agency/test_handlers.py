"""The print and dir handlers, and choosing a handler from --handler."""

import json
import stat
from pathlib import Path

import httpx
import pytest
from civicflow_agency.handlers import (
    DirectoryHandler,
    PrintHandler,
    WebhookHandler,
    handler_from_spec,
    write_atomically,
)
from civicflow_agency.inbox import HandlerFailed
from civicflow_agency.records import Application

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
