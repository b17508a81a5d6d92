"""What a citizen is told about an attachment that was refused, in their language. An upload's message names the
file by its display name (attachments.display_name: the citizen's own, cut short and cleaned), never by what else
the request said."""

from collections.abc import Sequence

from civicflow.intake.domain.attachment_list import ListIssue, RefIssue
from civicflow.intake.domain.attachments import AttachmentRefused, Refusal
from civicflow.intake.domain.catalogue import AttachmentRules, MediaType
from civicflow.intake.domain.messages import Language
from civicflow.intake.domain.validation_errors import FieldError

UNNAMED: dict[Language, str] = {"de": "Die Datei", "en": "The file"}
SHORT: dict[MediaType, str] = {"application/pdf": "PDF", "image/png": "PNG", "image/jpeg": "JPEG"}
# "a PDF file" and "not a PDF file": German articles follow the noun (die Datei, das Bild).
A: dict[Language, dict[MediaType, str]] = {
    "de": {"application/pdf": "eine PDF-Datei", "image/png": "ein PNG-Bild", "image/jpeg": "ein JPEG-Bild"},
    "en": {"application/pdf": "a PDF file", "image/png": "a PNG image", "image/jpeg": "a JPEG image"},
}
NOT_A: dict[Language, dict[MediaType, str]] = {
    "de": {"application/pdf": "keine PDF-Datei", "image/png": "kein PNG-Bild", "image/jpeg": "kein JPEG-Bild"},
    "en": {"application/pdf": "not a PDF file", "image/png": "not a PNG image", "image/jpeg": "not a JPEG image"},
}

REFUSED: dict[Refusal | str, dict[Language, str]] = {
    Refusal.NO_ATTACHMENTS: {
        "de": "{name} kann nicht beigefügt werden: Für diese Leistung werden keine Dateien angenommen.",
        "en": "{name} cannot be attached: this service takes no files.",
    },
    Refusal.EMPTY: {"de": "{name} ist leer.", "en": "{name} is empty."},
    Refusal.TOO_LARGE: {
        "de": "{name} ist größer als {limit}; bitte senden Sie eine kleinere Datei.",
        "en": "{name} is larger than {limit}; please send a smaller file.",
    },
    Refusal.UNKNOWN_TYPE: {"de": "{name} ist keine {kinds}.", "en": "{name} is not a {kinds}."},
    Refusal.MISMATCH: {
        "de": "{name} ist {not_claimed}: Der Inhalt ist {found}.",
        "en": "{name} is {not_claimed}: its content is {found}.",
    },
    "mismatch_other": {
        "de": "{name} ist als eine andere Art von Datei angegeben, der Inhalt ist aber {found}.",
        "en": "{name} is declared as another kind of file, but its content is {found}.",
    },
    Refusal.NOT_ACCEPTED: {
        "de": "{name} ist {found}; bitte senden Sie stattdessen eine {kinds}.",
        "en": "{name} is {found}; please send a {kinds} instead.",
    },
}

LISTED: dict[ListIssue | str, dict[Language, str]] = {
    ListIssue.TOO_MANY: {
        "de": "Bitte fügen Sie höchstens {count} Dateien bei.",
        "en": "Please attach at most {count} files.",
    },
    "too_many_one": {"de": "Bitte fügen Sie nur eine Datei bei.", "en": "Please attach only one file."},
    ListIssue.MISSING: {
        "de": "Für diese Leistung ist ein Nachweis nötig: {label}.",
        "en": "This service needs a document: {label}.",
    },
    "missing_unlabelled": {
        "de": "Für diese Leistung ist ein Nachweis nötig; bitte fügen Sie ihn bei.",
        "en": "This service needs a document; please attach it.",
    },
    ListIssue.DUPLICATE: {"de": "Diese Datei ist doppelt beigefügt.", "en": "This file is attached twice."},
    ListIssue.NOT_ACCEPTED: {
        "de": "Bitte senden Sie eine {kinds}.",
        "en": "Please send a {kinds}.",
    },
    ListIssue.UNKNOWN: {
        "de": "Diese Datei liegt uns nicht (mehr) vor; bitte laden Sie sie erneut hoch.",
        "en": "We do not have this file (any more); please upload it again.",
    },
    ListIssue.CHANGED: {
        "de": "Diese Angaben passen nicht zur hochgeladenen Datei; bitte laden Sie sie erneut hoch.",
        "en": "These details do not match the uploaded file; please upload it again.",
    },
    ListIssue.TAKEN: {
        "de": "Diese Datei gehört zu einem anderen Antrag; bitte laden Sie sie erneut hoch.",
        "en": "This file belongs to another application; please upload it again.",
    },
}


def refusal_message(refused: AttachmentRefused, rules: AttachmentRules, language: Language) -> str:
    claimed, found = refused.claimed, refused.found
    key: Refusal | str = (
        "mismatch_other" if refused.reason is Refusal.MISMATCH and claimed == "other" else refused.reason
    )
    return REFUSED[key][language].format(
        name=refused.filename or UNNAMED[language],
        limit=size_text(rules.max_bytes_each, language),
        kinds=kinds(rules.accepted or tuple(SHORT), language),
        found=A[language][found] if found else "",
        not_claimed=NOT_A[language][claimed] if claimed and claimed != "other" else "",
    )


def issue_message(issue: ListIssue, rules: AttachmentRules, language: Language) -> str:
    key: ListIssue | str = issue
    if issue is ListIssue.TOO_MANY and rules.max_files == 1:
        key = "too_many_one"
    elif issue is ListIssue.MISSING and rules.label is None:
        key = "missing_unlabelled"
    return LISTED[key][language].format(
        count=rules.max_files,
        label=rules.label.in_(language) if rules.label else "",
        kinds=kinds(rules.accepted or tuple(SHORT), language),
    )


def kinds(accepted: tuple[MediaType, ...], language: Language) -> str:
    """E.g. "PDF, PNG or JPEG file", "PDF-, PNG- oder JPEG-Datei" (the German compound shares its last part)."""
    names = [SHORT[media_type] for media_type in accepted]
    if language == "de":
        head = ", ".join(f"{name}-" for name in names[:-1])
        return f"{head} oder {names[-1]}-Datei" if head else f"{names[-1]}-Datei"
    head = ", ".join(names[:-1])
    return f"{head} or {names[-1]} file" if head else f"{names[-1]} file"


def size_text(size: int, language: Language) -> str:
    """A limit as people write it: "5 MB", "2,5 MB", "500 KB" (binary multiples, as the pages state them)."""
    if size < 1024 * 1024:
        return f"{size // 1024} KB"
    text = f"{round(size / (1024 * 1024), 1):g}"
    return f"{text.replace('.', ',') if language == 'de' else text} MB"


def attachment_errors(issues: Sequence[RefIssue], rules: AttachmentRules, language: Language) -> list[FieldError]:
    """Issues found against the stored files, as errors at /attachments/<position>."""
    return [
        FieldError(
            "/attachments" if issue.index is None else f"/attachments/{issue.index}",
            issue_message(issue.issue, rules, language),
        )
        for issue in issues
    ]
