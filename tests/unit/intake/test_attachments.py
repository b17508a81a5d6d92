"""Attachments, checked by their content: sniffing, names and declared types that say otherwise, limits, display
names, the references a submission names, and what the citizen is told."""

import hashlib
from datetime import UTC, datetime
from uuid import UUID, uuid4

import pytest

from civicflow.intake.domain.attachment_list import ListIssue, RefIssue, check_refs, check_stored
from civicflow.intake.domain.attachment_messages import issue_message, kinds, refusal_message, size_text
from civicflow.intake.domain.attachments import (
    MAX_NAME,
    AttachmentRefused,
    CheckedUpload,
    Refusal,
    StoredAttachment,
    check_upload,
    claimed_by_header,
    claimed_by_name,
    display_name,
    sniff,
)
from civicflow.intake.domain.catalogue import AttachmentRules, LocalText
from civicflow.shared.events import AttachmentRef
from tests.support.sample_files import jpeg, pdf, png

RULES = AttachmentRules(
    max_files=2,
    accepted=("application/pdf", "image/png", "image/jpeg"),
    max_bytes_each=64 * 1024,
    label=LocalText(de="Nachweise", en="Supporting documents"),
)
PDF_ONLY = RULES.model_copy(update={"accepted": ("application/pdf",)})


@pytest.mark.parametrize(
    ("data", "media_type"),
    [
        (pdf(), "application/pdf"),
        (png(), "image/png"),
        (jpeg(), "image/jpeg"),
        (b"GIF89a\x01\x00\x01\x00", None),
        (b"hello, world", None),
        (b"%PD", None),
        (b"\x89PNG\r\n\x1a", None),  # the signature, one byte short
        (b"\n" + pdf(), None),  # a header further in is not taken: the file is something else first
        (b"", None),
    ],
)
def test_the_type_is_read_from_the_first_bytes(data: bytes, media_type: str | None) -> None:
    assert sniff(data[:8]) == media_type


@pytest.mark.parametrize(
    ("name", "claimed"),
    [
        ("scan.pdf", "application/pdf"),
        ("SCAN.PDF", "application/pdf"),
        ("photo.jpeg", "image/jpeg"),
        ("photo.JPG", "image/jpeg"),
        ("saved from the web.jfif", "image/jpeg"),
        ("plan.png", "image/png"),
        ("scan.tiff", None),
        ("Scan 03.05", None),
        ("scan", None),
        (".pdf", None),  # a hidden file's name, not an extension
    ],
)
def test_a_name_claims_a_type_by_its_extension_if_it_is_ours(name: str, claimed: str | None) -> None:
    assert claimed_by_name(name) == claimed


@pytest.mark.parametrize(
    ("header", "claimed"),
    [
        ("application/pdf", "application/pdf"),
        ("image/PNG; charset=binary", "image/png"),
        ("image/jpg", "image/jpeg"),
        ("application/octet-stream", None),
        ("", None),
        (None, None),
        ("image/gif", "other"),
        ("text/plain", "other"),
    ],
)
def test_a_declared_type_claims_ours_another_or_nothing(header: str | None, claimed: str | None) -> None:
    assert claimed_by_header(header) == claimed


def test_an_accepted_file_is_kept_with_its_sha256_and_display_name() -> None:
    data = pdf(1000)
    checked = check_upload(RULES, "C:\\Users\\erika\\Scan vom 3.5.pdf", "application/pdf", data)
    assert checked == CheckedUpload("Scan vom 3.5.pdf", "application/pdf", hashlib.sha256(data).hexdigest(), data)
    assert checked.size == len(data)
    assert "Scan" not in repr(checked)  # the citizen's file name stays out of logs and tracebacks


@pytest.mark.parametrize(
    ("name", "header", "data", "found", "claimed"),
    [
        ("scan.pdf", "application/pdf", png(), "image/png", "application/pdf"),
        ("scan.pdf", None, png(), "image/png", "application/pdf"),  # the name alone
        ("scan", "application/pdf", jpeg(), "image/jpeg", "application/pdf"),  # the declared type alone
        ("photo.png", "image/gif", png(), "image/png", "other"),
        ("photo.jpg", "image/jpeg", pdf(), "application/pdf", "image/jpeg"),
    ],
)
def test_a_file_whose_name_or_declared_type_says_otherwise_is_refused(
    name: str, header: str | None, data: bytes, found: str, claimed: str
) -> None:
    assert check_upload(RULES, name, header, data) == AttachmentRefused(Refusal.MISMATCH, name, found, claimed)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("name", "header"), [("scan", None), ("scan.tiff", "application/octet-stream"), ("photo.jpeg", "image/jpeg")]
)
def test_a_name_or_type_that_claims_nothing_else_is_taken_at_the_content_s_word(name: str, header: str | None) -> None:
    checked = check_upload(RULES, name, header, jpeg())
    assert isinstance(checked, CheckedUpload) and checked.media_type == "image/jpeg"


def test_the_size_limit_is_each_file_s_and_inclusive() -> None:
    base = pdf()
    at_limit = base + b"\n" * (RULES.max_bytes_each - len(base))  # white space after %%EOF, as editors leave it
    assert isinstance(check_upload(RULES, "a.pdf", None, at_limit), CheckedUpload)
    assert check_upload(RULES, "a.pdf", None, at_limit + b"\n").reason is Refusal.TOO_LARGE  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("rules", "data", "reason"),
    [
        (RULES, b"", Refusal.EMPTY),
        (RULES, b"GIF89a" + bytes(100), Refusal.UNKNOWN_TYPE),
        (PDF_ONLY, png(), Refusal.NOT_ACCEPTED),
        (AttachmentRules(), pdf(), Refusal.NO_ATTACHMENTS),
        (RULES.model_copy(update={"max_files": 0}), pdf(), Refusal.NO_ATTACHMENTS),
    ],
)
def test_what_is_refused_and_why(rules: AttachmentRules, data: bytes, reason: Refusal) -> None:
    refused = check_upload(rules, "upload", None, data)
    assert isinstance(refused, AttachmentRefused) and refused.reason is reason


@pytest.mark.parametrize(
    ("name", "shown"),
    [
        ("scan.pdf", "scan.pdf"),
        ("C:\\Users\\erika\\Desktop\\scan.pdf", "scan.pdf"),
        ("../../etc/passwd", "passwd"),
        ("Mu\u0308ller.pdf", "Müller.pdf"),  # NFC: one code point for ü
        ("in\x00voice\u202egnp.pdf", "invoicegnp.pdf"),  # NUL and a right-to-left override dropped
        ("  \tscan.pdf\r\n", "scan.pdf"),
        ("zero\u200bwidth.png", "zerowidth.png"),
        ("..", ""),
        ("dir/", ""),
        ("", ""),
        (None, ""),
    ],
)
def test_a_display_name_is_the_visible_last_part(name: str | None, shown: str) -> None:
    assert display_name(name) == shown


def test_a_long_name_is_cut_to_its_maximum_and_keeps_its_extension() -> None:
    cut = display_name("Antrag " * 40 + ".pdf")
    assert len(cut) == MAX_NAME and cut.endswith("….pdf")
    assert display_name("x" * 500) == "x" * (MAX_NAME - 1) + "…"
    assert display_name("x" * 200 + ".not-an-extension-at-all")[-1] == "…"
    assert claimed_by_name(cut) == "application/pdf"


def test_a_refusal_names_the_file_by_its_display_name() -> None:
    refused = check_upload(RULES, "/home/erika/" + "s" * 200 + ".pdf", None, png())
    assert isinstance(refused, AttachmentRefused)
    assert refusal_message(refused, RULES, "en") == f"{'s' * 115}….pdf is not a PDF file: its content is a PNG image."


@pytest.mark.parametrize(
    ("name", "header", "data", "rules", "de", "en"),
    [
        (
            "scan.pdf",
            None,
            png(),
            RULES,
            "scan.pdf ist keine PDF-Datei: Der Inhalt ist ein PNG-Bild.",
            "scan.pdf is not a PDF file: its content is a PNG image.",
        ),
        (
            "foto.png",
            "image/gif",
            png(),
            RULES,
            "foto.png ist als eine andere Art von Datei angegeben, der Inhalt ist aber ein PNG-Bild.",
            "foto.png is declared as another kind of file, but its content is a PNG image.",
        ),
        (
            "brief.docx",
            None,
            b"PK\x03\x04",
            RULES,
            "brief.docx ist keine PDF-, PNG- oder JPEG-Datei.",
            "brief.docx is not a PDF, PNG or JPEG file.",
        ),
        (
            "foto.jpg",
            None,
            jpeg(),
            PDF_ONLY,
            "foto.jpg ist ein JPEG-Bild; bitte senden Sie stattdessen eine PDF-Datei.",
            "foto.jpg is a JPEG image; please send a PDF file instead.",
        ),
        (
            "scan.pdf",
            None,
            pdf(RULES.max_bytes_each),
            RULES,
            "scan.pdf ist größer als 64 KB; bitte senden Sie eine kleinere Datei.",
            "scan.pdf is larger than 64 KB; please send a smaller file.",
        ),
        ("\x00", None, b"", RULES, "Die Datei ist leer.", "The file is empty."),
    ],
)
def test_a_refusal_is_told_in_german_and_english(
    name: str, header: str | None, data: bytes, rules: AttachmentRules, de: str, en: str
) -> None:
    refused = check_upload(rules, name, header, data)
    assert isinstance(refused, AttachmentRefused)
    assert (refusal_message(refused, rules, "de"), refusal_message(refused, rules, "en")) == (de, en)


def test_types_and_sizes_are_written_as_people_write_them() -> None:
    assert kinds(("application/pdf", "image/jpeg"), "de") == "PDF- oder JPEG-Datei"
    assert kinds(("image/png",), "en") == "PNG file"
    assert [size_text(5 * 1024 * 1024, "de"), size_text(5 * 1024 * 1024 // 2, "de")] == ["5 MB", "2,5 MB"]
    assert size_text(5 * 1024 * 1024 // 2, "en") == "2.5 MB"


def ref(media_type: str = "application/pdf", attachment_id: UUID | None = None) -> AttachmentRef:
    return AttachmentRef.model_validate(
        {"attachment_id": attachment_id or uuid4(), "sha256": "ab" * 32, "media_type": media_type, "size": 1000}
    )


def test_a_reference_is_an_id_a_sha256_a_type_and_a_size_and_nothing_else() -> None:
    with pytest.raises(ValueError, match="sha256"):
        AttachmentRef.model_validate({**ref().model_dump(), "sha256": "AB" * 32})
    with pytest.raises(ValueError, match="filename"):
        AttachmentRef.model_validate({**ref().model_dump(), "filename": "scan.pdf"})


def test_the_list_a_submission_names_is_held_to_its_service_s_rules() -> None:
    twice = ref()
    assert check_refs(RULES, [ref(), ref("image/png")]) == []
    assert check_refs(RULES, [ref(), ref(), ref()]) == [RefIssue(ListIssue.TOO_MANY)]
    assert check_refs(RULES.model_copy(update={"required": True}), []) == [RefIssue(ListIssue.MISSING)]
    assert check_refs(RULES, []) == []
    assert check_refs(RULES, [twice, twice]) == [RefIssue(ListIssue.DUPLICATE, 1)]
    assert check_refs(PDF_ONLY, [ref(), ref("image/png")]) == [RefIssue(ListIssue.NOT_ACCEPTED, 1)]


def test_the_list_is_held_to_what_was_stored() -> None:
    submission, other = uuid4(), uuid4()
    named = [ref(), ref(), ref(), ref(), ref()]

    def stored(item: AttachmentRef, service_id: str = "99050012104000", bound: UUID | None = None) -> StoredAttachment:
        return StoredAttachment(item, service_id, "scan.pdf", datetime.now(UTC), bound)

    found = {
        named[0].attachment_id: stored(named[0]),
        named[1].attachment_id: stored(named[1], bound=submission),  # a retry of the same submission
        named[2].attachment_id: stored(named[2].model_copy(update={"size": 999})),
        named[3].attachment_id: stored(named[3], bound=other),
        named[4].attachment_id: stored(named[4], service_id="99108001001000"),
    }
    assert check_stored("99050012104000", [*named, ref()], found, submission) == [
        RefIssue(ListIssue.CHANGED, 2),
        RefIssue(ListIssue.TAKEN, 3),
        RefIssue(ListIssue.UNKNOWN, 4),
        RefIssue(ListIssue.UNKNOWN, 5),
    ]
    assert found[named[0].attachment_id].state == "pending" and found[named[1].attachment_id].state == "bound"


def test_each_issue_with_the_list_is_told_in_both_languages() -> None:
    one = RULES.model_copy(update={"max_files": 1, "label": None})
    assert issue_message(ListIssue.TOO_MANY, RULES, "en") == "Please attach at most 2 files."
    assert issue_message(ListIssue.TOO_MANY, one, "de") == "Bitte fügen Sie nur eine Datei bei."
    assert issue_message(ListIssue.MISSING, RULES, "de") == "Für diese Leistung ist ein Nachweis nötig: Nachweise."
    assert issue_message(ListIssue.MISSING, one, "en") == "This service needs a document; please attach it."
    assert issue_message(ListIssue.NOT_ACCEPTED, PDF_ONLY, "en") == "Please send a PDF file."
    for issue in ListIssue:
        for language in ("de", "en"):
            assert issue_message(issue, RULES, language).endswith(".")
