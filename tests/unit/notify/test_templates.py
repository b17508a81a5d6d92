"""The message templates: every type renders in every language, with all it may be given and with only what events
carry today; what the citizen or an agency typed is escaped in HTML; a missing translation falls back to German."""

import email
import email.policy
import shutil
from dataclasses import replace
from pathlib import Path
from typing import Any, get_args
from uuid import uuid4

import pytest
from jinja2 import UndefinedError

from civicflow.notify.adapters.smtp_email import SmtpEmail
from civicflow.notify.domain.messages import (
    STEP_MESSAGE_TYPES,
    Message,
    MessageContext,
    MessageType,
    Personal,
)
from civicflow.notify.domain.notes import context_of, note_of
from civicflow.notify.entrypoints.kafka import STEP_SOURCES
from civicflow.notify.main import main
from civicflow.notify.rendering import (
    TEMPLATE_KINDS,
    Templates,
    compose,
    shipped_templates,
    shipped_templates_directory,
)
from civicflow.shared.events import MunicipalityChoice, Step, SubmissionNeedsClarification, SubmissionRouted
from civicflow.shared.events.agency import Outcome
from civicflow.shared.events.common import Language
from civicflow.shared.settings import SmtpSettings
from tests.support.sealing import recipient, sealer_with_every_key

LANGUAGES: tuple[Language, ...] = ("de", "en")
GREETING = {"de": "Guten Tag", "en": "Hello"}
REFERENCE = {"de": "Ihre Vorgangsnummer", "en": "Your reference number"}
DASH = "\N{EN DASH}"  # between a subject and the service's title
STATUS_LINK = "https://civicflow.example/status/s1#token=t1"
LETTER = "Bitte senden Sie uns\nden Meisterbrief."


def full(message_type: MessageType, language: Language) -> MessageContext:
    return MessageContext(
        message_type=message_type,
        language=language,
        submission_id=uuid4(),
        citizen_name="Erika Mustermann",
        service_title="Gewerbeanmeldung",
        agency_name=f"Stadt Köln {DASH} Gewerbeamt",
        status_link=STATUS_LINK,
        reason="Ein Grund in Worten.",
        letter=LETTER,
        choices=("Köln", "Bergisch Gladbach"),
        rating_link="https://civicflow.example/rate/r1",
    )


def minimal(message_type: MessageType, language: Language) -> MessageContext:
    """No more than the type, the language and the reference number."""
    return MessageContext(message_type=message_type, language=language, submission_id=uuid4())


def assert_well_formed(message: Message, context: MessageContext) -> None:
    assert message.subject and "\n" not in message.subject
    assert message.html is not None
    for text in (message.subject, message.body, message.html):
        assert "None" not in text  # an absent value is left out, not printed
    assert str(context.submission_id) in message.body and str(context.submission_id) in message.html
    assert f'<html lang="{context.language}">' in message.html and message.language == context.language


def test_every_step_notify_hears_of_and_every_decision_has_its_message_type() -> None:
    assert set(STEP_MESSAGE_TYPES) == {source.step for source in STEP_SOURCES.values()} - {Step.DECIDED}
    by_outcome = {MessageType(outcome) for outcome in get_args(Outcome)}
    assert by_outcome | set(STEP_MESSAGE_TYPES.values()) == set(MessageType)


def test_an_event_gives_what_it_carries_and_leaves_the_rest_to_come() -> None:
    sealer, submission_id = sealer_with_every_key(), uuid4()
    to_erika = recipient(sealer, submission_id, "erika@example.org", "en")
    routed = context_of(
        note_of(
            SubmissionRouted(
                submission_id=submission_id, recipient=to_erika, agency_id="koeln-gewerbe", municipality_key="05315000"
            )
        )
    )
    assert (routed.message_type, routed.language, routed.agency_name) == ("routed", "en", "koeln-gewerbe")
    assert routed.citizen_name is routed.service_title is routed.status_link is routed.rating_link is None
    asked = context_of(
        note_of(
            SubmissionNeedsClarification(
                submission_id=submission_id,
                recipient=to_erika,
                reason="ambiguous_municipality",
                choices=(MunicipalityChoice(municipality_key="05315000", name="Köln"),),
            )
        )
    )
    assert asked.choices == ("Köln",) and asked.reason.startswith("your postcode belongs to several")


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("message_type", list(MessageType))
def test_every_template_renders_with_everything_it_may_use(message_type: MessageType, language: Language) -> None:
    context = full(message_type, language)
    message = shipped_templates().render(context)
    assert_well_formed(message, context)
    assert message.html is not None
    assert message.body.startswith(f"{GREETING[language]} Erika Mustermann,\n\n")
    assert message.subject.endswith(f" {DASH} Gewerbeanmeldung") and "Gewerbeanmeldung" in message.body
    assert STATUS_LINK in message.body and f'href="{STATUS_LINK}"' in message.html
    assert message.body.count(STATUS_LINK) == 1  # said once, where it is needed
    # What could hint at the citizen's address stays out of every mail.
    assert "Bergisch Gladbach" not in message.body and "Bergisch Gladbach" not in message.html


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("message_type", list(MessageType))
def test_every_template_reads_well_with_only_what_events_carry_today(
    message_type: MessageType, language: Language
) -> None:
    context = minimal(message_type, language)
    message = shipped_templates().render(context)
    assert_well_formed(message, context)
    assert message.html is not None
    assert message.body.startswith(f"{GREETING[language]},\n\n") and f"<p>{GREETING[language]},</p>" in message.html
    assert "https://" not in message.body and "href" not in message.html  # no paragraph for a link not given
    assert "\n\n\n" not in message.body and not message.body.endswith("\n")
    assert f"{REFERENCE[language]}: {context.submission_id}" in message.body


@pytest.mark.parametrize("message_type", [MessageType.ACCEPTED, MessageType.REJECTED])
def test_the_rating_link_is_offered_after_a_decision_only_when_there_is_one(message_type: MessageType) -> None:
    context = full(message_type, "en")
    assert "civicflow.example/rate" in shipped_templates().render(context).body
    assert "civicflow.example/rate" not in shipped_templates().render(replace(context, rating_link=None)).body


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("message_type", [MessageType.CLARIFICATION_NEEDED, MessageType.INFORMATION_REQUESTED])
def test_the_status_link_replaces_the_link_you_were_given(message_type: MessageType, language: Language) -> None:
    context = full(message_type, language)
    given = {"de": "den Sie beim Absenden bekommen haben", "en": "the link you were given"}[language]
    assert given not in shipped_templates().render(context).body
    assert given in shipped_templates().render(replace(context, status_link=None)).body


@pytest.mark.parametrize(
    "message_type", [MessageType.ACCEPTED, MessageType.REJECTED, MessageType.INFORMATION_REQUESTED]
)
def test_the_agencys_letter_is_quoted_line_by_line_in_text_and_keeps_its_lines_in_html(
    message_type: MessageType,
) -> None:
    message = shipped_templates().render(full(message_type, "de"))
    assert message.html is not None
    assert "> Bitte senden Sie uns\n> den Meisterbrief." in message.body
    assert "Bitte senden Sie uns<br>\nden Meisterbrief." in message.html


SCRIPT = "<script>alert(1)</script>"


@pytest.mark.parametrize("field", ["citizen_name", "service_title", "letter", "agency_name"])
@pytest.mark.parametrize("language", LANGUAGES)
def test_markup_typed_by_a_citizen_or_an_agency_is_escaped_in_html_and_kept_as_typed_in_text(
    field: str, language: Language
) -> None:
    typed: dict[str, Any] = {field: SCRIPT}
    context = replace(full(MessageType.ACCEPTED, language), **typed)
    message = shipped_templates().render(context)
    assert message.html is not None
    assert "<script" not in message.html and "&lt;script&gt;alert(1)&lt;/script&gt;" in message.html
    assert SCRIPT in message.body


def test_a_subject_is_one_line_whatever_a_title_holds() -> None:
    context = replace(full(MessageType.RECEIVED, "de"), service_title="Gewerbe-\r\nanmeldung\n")
    assert shipped_templates().render(context).subject == f"Ihr Antrag ist eingegangen {DASH} Gewerbe- anmeldung"


def templates_with(tmp_path: Path, *names: str) -> Templates:
    """A template directory holding only `names`, copied from the shipped ones."""
    for name in names:
        shutil.copy(shipped_templates_directory() / name, tmp_path / name)
    return Templates(tmp_path)


def kinds(message_type: str, language: Language) -> list[str]:
    return [f"{message_type}.{language}.{kind}" for kind in TEMPLATE_KINDS]


def test_a_type_only_in_german_is_sent_in_german(tmp_path: Path) -> None:
    templates = templates_with(tmp_path, "_base.de.txt", "_base.de.html", *kinds("received", "de"))
    message = templates.render(minimal(MessageType.RECEIVED, "en"))
    assert message.subject == "Ihr Antrag ist eingegangen" and message.body.startswith("Guten Tag,")
    assert message.language == "de"  # the mail says which language it is in (Content-Language)


def test_a_translation_missing_one_part_is_not_mixed_with_german(tmp_path: Path) -> None:
    english = [name for name in kinds("received", "en") if not name.endswith(".html")]
    templates = templates_with(tmp_path, "_base.de.txt", "_base.de.html", *kinds("received", "de"), *english)
    message = templates.render(minimal(MessageType.RECEIVED, "en"))
    assert message.language == "de" and message.subject == "Ihr Antrag ist eingegangen"


def test_a_type_without_any_template_fails_loudly(tmp_path: Path) -> None:
    with pytest.raises(LookupError, match="received"):
        Templates(tmp_path).render(minimal(MessageType.RECEIVED, "en"))


def test_a_misspelt_name_in_a_template_fails_instead_of_leaving_a_gap(tmp_path: Path) -> None:
    templates = templates_with(tmp_path, "_base.de.txt", "_base.de.html", *kinds("received", "de"))
    (tmp_path / "received.de.subject.txt").write_text("Ihr Antrag {{ servce_title }}")
    with pytest.raises(UndefinedError, match="servce_title"):
        templates.render(minimal(MessageType.RECEIVED, "de"))


def test_every_shipped_template_belongs_to_a_type_and_every_type_has_all_its_templates() -> None:
    shipped = {path.name for path in shipped_templates_directory().iterdir()}
    expected = {
        name for message_type in MessageType for language in LANGUAGES for name in kinds(message_type, language)
    }
    layouts = {f"_base.{language}.{kind}" for language in LANGUAGES for kind in ("txt", "html")}
    assert shipped == expected | layouts


def test_preview_prints_a_template_with_sample_data(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["preview", "accepted", "--lang", "en"])
    assert exit_.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith(f"Subject: Your application has been accepted {DASH} Gewerbeanmeldung\n\nHello Erika")
    assert f"Stadt Köln {DASH} Gewerbeamt" in out and "> " in out and "<p>" not in out


def test_preview_prints_the_html_part_when_asked(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["preview", "clarification_needed", "--html"])
    assert exit_.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith("Subject: Bitte beantworten Sie") and '<html lang="de">' in out


def test_preview_of_an_unknown_template_is_a_one_line_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["preview", "acepted", "--lang", "en"])
    assert exit_.value.code == 2
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err.count("\n") == 1 and "'acepted'" in captured.err


def test_a_mail_without_html_is_plain_text_alone() -> None:
    message = Message(subject="Betreff", body="Text", language="de")
    mail = email.message_from_bytes(SmtpEmail(SmtpSettings())._compose("a@example.org", message, "k"))
    assert mail.get_content_type() == "text/plain"


def test_a_mail_with_html_carries_both_parts_as_alternatives() -> None:
    message = shipped_templates().render(full(MessageType.ACCEPTED, "en"))
    raw = SmtpEmail(SmtpSettings())._compose("erika@example.org", message, message_key="s1.decided.d1")
    mail = email.message_from_bytes(raw, policy=email.policy.default)
    assert mail.get_content_type() == "multipart/alternative"
    assert [part.get_content_type() for part in mail.iter_parts()] == ["text/plain", "text/html"]
    assert mail["Subject"] == message.subject and mail["Message-ID"] == "<s1.decided.d1@civicflow>"
    assert mail["Content-Language"] == "en"
    text, html = mail.get_body(("plain",)), mail.get_body(("html",))
    assert text is not None and html is not None
    assert text.get_content().rstrip("\n") == message.body and "&gt;" not in text.get_content()
    assert html.get_content().rstrip("\n") == message.html


def test_the_citizen_is_greeted_by_name_with_their_service_agency_and_status_link() -> None:
    sealer, submission_id = sealer_with_every_key(), uuid4()
    greeted = recipient(sealer, submission_id, "erika@example.org", "de").model_copy(
        update={"service_title": "Gewerbeanmeldung"}
    )
    routed = SubmissionRouted(
        submission_id=submission_id,
        recipient=greeted,
        agency_id="koeln-gewerbe",
        agency_name="Stadt Köln, Gewerbeamt",
        municipality_key="05315000",
    )
    link = f"https://civicflow.example/status/{submission_id}?token=abc"
    message = compose(routed, Personal(citizen_name="Erika Mustermann", status_link=link))
    assert "Guten Tag Erika Mustermann," in message.body and "Stadt Köln, Gewerbeamt" in message.body
    assert "Gewerbeanmeldung" in message.subject + message.body and link in message.body
    assert message.html is not None and "Erika Mustermann" in message.html
