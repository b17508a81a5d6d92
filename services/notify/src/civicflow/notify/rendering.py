"""Renders a message from its templates: `<type>.<language>.subject.txt`, `<type>.<language>.txt` and
`<type>.<language>.html` in civicflow/notify/templates. Templates are data: a new language or a reworded mail is a
new file, not new code.

A type without all three files in the citizen's language is sent in German, all of it: one mail in one language
(and its Content-Language says which).

A new message type is a MessageType member and its three files per language, which extend `_base.<language>.txt`
and `_base.<language>.html` and fill their `text` block (and empty `status_link` when they place the link
themselves). In the text templates the line break after a tag is dropped (trim_blocks), so that `{% if %}` lines
leave no blank ones; a tag that ends a line of text keeps its line break written as `{% endif +%}`.
`civicflow-notify preview TYPE --lang en` shows the result; the template tests render every one."""

from dataclasses import fields
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, Template, TemplateNotFound, select_autoescape
from markupsafe import Markup

from civicflow.notify.domain.messages import Message, MessageContext, Personal
from civicflow.notify.domain.notes import StepNote, context_of, note_of
from civicflow.shared.events import StatusEvent
from civicflow.shared.events.common import Language

FALLBACK_LANGUAGE: Language = "de"
TEMPLATE_KINDS = ("subject.txt", "txt", "html")


def quoted(letter: str) -> str:
    """A letter quoted line by line, as mail quotes (RFC 3676 §4.5), so the agency's words stand apart from ours."""
    return "\n".join(f"> {line}" if line else ">" for line in letter.splitlines())


def line_breaks(text: str) -> Markup:
    """`text` escaped, its line breaks kept (Markup.join escapes each line)."""
    return Markup("<br>\n").join(text.splitlines())


def template_environment(directory: Path) -> Environment:
    return Environment(
        loader=FileSystemLoader(directory),
        # HTML is escaped: a name or a letter is shown as typed, never run. Plain text and subjects are not HTML.
        autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=False, default=False),
        undefined=StrictUndefined,  # a misspelt name fails the template tests instead of leaving a gap in a mail
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,  # the templates ship with the package: no stat() of every file for every mail
    )


class Templates:
    def __init__(self, directory: Path) -> None:
        self._environment = template_environment(directory)
        self._environment.filters["quoted"] = quoted
        self._environment.filters["line_breaks"] = line_breaks

    def render(self, context: MessageContext) -> Message:
        language, (subject_template, text_template, html_template) = self._templates_for(context)
        values: dict[str, Any] = {field.name: getattr(context, field.name) for field in fields(context)}
        # One line, whatever a title or a template holds: a line break would end the header (RFC 5322 §2.2).
        subject = " ".join(subject_template.render(values).split())
        return Message(
            subject=subject,
            body=text_template.render(values, subject=subject),
            language=language,
            html=html_template.render(values, subject=subject),
        )

    def _templates_for(self, context: MessageContext) -> tuple[Language, list[Template]]:
        """The subject, text and HTML templates, in the citizen's language if it has all three, else in German."""
        for language in dict.fromkeys((context.language, FALLBACK_LANGUAGE)):
            name = f"{context.message_type}.{language}"
            try:
                return language, [self._environment.get_template(f"{name}.{kind}") for kind in TEMPLATE_KINDS]
            except TemplateNotFound:
                continue
        raise LookupError(f"no template for {context.message_type} in {context.language} or {FALLBACK_LANGUAGE}")


def shipped_templates_directory() -> Path:
    return Path(str(resources.files("civicflow.notify").joinpath("templates")))


@cache
def shipped_templates() -> Templates:
    """The templates that come with the service, read once on first use (nothing is read at import)."""
    return Templates(shipped_templates_directory())


def compose(about: StatusEvent | StepNote, personal: Personal | None = None) -> Message:
    """The message about a step (its event, or notify's note of it), with what the caller opened of it."""
    note = about if isinstance(about, StepNote) else note_of(about)
    return shipped_templates().render(context_of(note, personal))
