"""Uploading an attachment over HTTP, with the store faked: what is stored and answered, and each refusal as a
problem that names the file."""

import asyncio
from collections.abc import Iterator
from typing import Any
from uuid import uuid4

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from starlette.types import Message

from civicflow.intake.domain.attachments import MAX_NAME, CheckedUpload
from civicflow.intake.domain.catalogue import Catalogue
from civicflow.intake.entrypoints import attachments_http
from civicflow.intake.entrypoints.attachments_http import MULTIPART_OVERHEAD, attachments_router
from civicflow.shared.events import AttachmentRef
from civicflow.shared.problems import install_problem_handlers
from tests.support.sample_files import jpeg, pdf, png

BUSINESS = "99050012104000"  # takes up to 3 files of 5 MiB
CERTIFICATE = "99027002012000"  # takes none
SMALL = "99108001001000"  # made to take files of 1 KiB below
FIVE_MIB = 5 * 1024 * 1024


class FakeUploads:
    def __init__(self) -> None:
        self.kept: list[tuple[str, CheckedUpload]] = []

    async def put(self, service_id: str, upload: CheckedUpload) -> AttachmentRef:
        self.kept.append((service_id, upload))
        return AttachmentRef(
            attachment_id=uuid4(), sha256=upload.sha256, media_type=upload.media_type, size=upload.size
        )


def catalogue() -> Catalogue:
    bundled = Catalogue.bundled()
    small = bundled.services[SMALL].attachments.model_copy(update={"max_bytes_each": 1024})
    specs = [
        spec if key != SMALL else spec.model_copy(update={"attachments": small})
        for key, spec in bundled.services.items()
    ]
    return Catalogue.from_specs(specs)


class Intake:
    def __init__(self) -> None:
        self.uploads = FakeUploads()
        self.app = FastAPI()
        install_problem_handlers(self.app)
        self.app.include_router(attachments_router(catalogue(), self.uploads))
        self.client = TestClient(self.app, raise_server_exceptions=False)

    def upload(
        self, name: str, data: bytes, content_type: str | None = None, service_id: str = BUSINESS, **headers: str
    ) -> Any:
        file = (name, data, content_type) if content_type else (name, data)
        return self.client.post(
            "/v1/attachments", data={"service_id": service_id}, files={"file": file}, headers=headers
        )


@pytest.fixture
def intake() -> Intake:
    return Intake()


def problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body: dict[str, Any] = response.json()
    assert body["status"] == status
    return body


def test_an_accepted_file_is_stored_and_answered_by_its_reference(intake: Intake) -> None:
    data = pdf(2000)
    response = intake.upload("scan.pdf", data, "application/pdf")
    assert response.status_code == 201, response.text
    assert response.headers["cache-control"] == "no-store"
    body = response.json()
    ((service_id, kept),) = intake.uploads.kept
    assert body == {
        "attachment_id": body["attachment_id"],
        "sha256": kept.sha256,
        "media_type": "application/pdf",
        "size": len(data),
    }
    assert (service_id, kept.filename, kept.data) == (BUSINESS, "scan.pdf", data)


@pytest.mark.parametrize(("name", "data"), [("plan.png", png(3, 2)), ("photo.jpeg", jpeg()), ("scan", pdf())])
def test_each_accepted_type_is_taken(intake: Intake, name: str, data: bytes) -> None:
    assert intake.upload(name, data).status_code == 201


@pytest.mark.parametrize(
    ("language", "detail"),
    [
        ("en-GB,en;q=0.9", "scan.pdf is not a PDF file: its content is a PNG image."),
        ("de", "scan.pdf ist keine PDF-Datei: Der Inhalt ist ein PNG-Bild."),
    ],
)
def test_a_file_whose_bytes_are_not_what_its_name_claims_is_refused_by_name(
    intake: Intake, language: str, detail: str
) -> None:
    body = problem(intake.upload("scan.pdf", png(), "application/pdf", **{"Accept-Language": language}), 422)
    assert body["errors"] == [{"pointer": "/file", "detail": detail}]
    assert intake.uploads.kept == []


def test_the_name_quoted_is_the_cut_display_name(intake: Intake) -> None:
    long_name = "Kopie von " * 30 + "scan.pdf"
    body = problem(intake.upload("../" + long_name, png(), **{"Accept-Language": "en"}), 422)
    shown = body["errors"][0]["detail"].split(" is not a PDF file")[0]
    assert len(shown) == MAX_NAME and shown.endswith("….pdf") and long_name not in body["errors"][0]["detail"]


def test_a_file_larger_than_its_service_allows_is_refused_by_name(intake: Intake) -> None:
    body = problem(intake.upload("scan.pdf", pdf(2000), service_id=SMALL, **{"Accept-Language": "en"}), 422)
    assert body["errors"] == [
        {"pointer": "/file", "detail": "scan.pdf is larger than 1 KB; please send a smaller file."}
    ]


def test_a_service_that_takes_no_files_refuses_them(intake: Intake) -> None:
    body = problem(intake.upload("scan.pdf", pdf(), service_id=CERTIFICATE, **{"Accept-Language": "en"}), 422)
    assert body["errors"][0]["detail"] == "scan.pdf cannot be attached: this service takes no files."


@pytest.mark.parametrize(("service_id", "pointer"), [("99000000000000", "/service_id"), ("", "/service_id")])
def test_an_unknown_or_missing_service_is_named(intake: Intake, service_id: str, pointer: str) -> None:
    body = problem(intake.upload("scan.pdf", pdf(), service_id=service_id), 422)
    assert [error["pointer"] for error in body["errors"]] == [pointer]


def test_a_form_without_a_file_is_refused(intake: Intake) -> None:
    response = intake.client.post(
        "/v1/attachments", data={"service_id": BUSINESS, "file": "not a file"}, files={"other": ("x", b"1")}
    )
    assert problem(response, 422)["errors"][0]["pointer"] == "/file"


def test_more_than_one_file_is_a_malformed_body(intake: Intake) -> None:
    files = [("file", ("a.pdf", pdf())), ("file", ("b.pdf", pdf()))]
    response = intake.client.post("/v1/attachments", data={"service_id": BUSINESS}, files=files)
    assert problem(response, 400)["type"] == "/problems/malformed-body"
    assert intake.uploads.kept == []


def test_a_body_that_is_not_multipart_is_415(intake: Intake) -> None:
    response = intake.client.post("/v1/attachments", json={"service_id": BUSINESS, "file": "JVBERi0="})
    assert problem(response, 415)["type"] == "/problems/unsupported-media-type"


def test_a_body_declared_too_large_is_refused_before_it_is_read(intake: Intake) -> None:
    too_large = FIVE_MIB + MULTIPART_OVERHEAD + 1
    headers = {"Content-Type": "multipart/form-data; boundary=x"}
    response = intake.client.post("/v1/attachments", content=b"x" * too_large, headers=headers)
    assert problem(response, 413)["type"] == "/problems/payload-too-large"


def test_a_body_that_grows_too_large_without_a_declared_length_is_refused_while_it_arrives(intake: Intake) -> None:
    def chunks() -> Iterator[bytes]:
        yield b"--x\r\nContent-Disposition: form-data; name=file; filename=big.pdf\r\n\r\n%PDF-"
        for _ in range(FIVE_MIB // 65536 + 2):
            yield bytes(65536)

    headers = {"Content-Type": "multipart/form-data; boundary=x"}
    response = intake.client.post("/v1/attachments", content=chunks(), headers=headers)
    assert "content-length" not in response.request.headers
    problem(response, 413)
    assert intake.uploads.kept == []


async def test_a_body_that_trickles_is_408(intake: Intake, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(attachments_http, "UPLOAD_TIMEOUT_SECONDS", 0.2)
    messages: list[Message] = []

    async def receive() -> Message:
        if messages:  # the first part arrives, the rest never does
            await asyncio.sleep(3600)
        messages.append({"type": "http.request", "body": b"--x\r\n", "more_body": True})
        return messages[-1]

    sent: list[Message] = []

    async def send(message: Message) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "method": "POST",
        "path": "/v1/attachments",
        "headers": [(b"content-type", b"multipart/form-data; boundary=x")],
        "query_string": b"",
    }
    await asyncio.wait_for(intake.app(scope, receive, send), 5)
    assert sent[0]["status"] == 408
