"""`civicflow-notify preview TEMPLATE --lang en [--html]`: one message rendered with sample data, so whoever words a
template sees the mail a citizen would get without sending an application through the pipeline."""

import argparse
import sys
from typing import get_args
from uuid import UUID

from civicflow.notify.domain.messages import MessageContext, MessageType
from civicflow.notify.domain.reasons import CLARIFICATION_SENTENCES, UNROUTABLE_SENTENCES
from civicflow.notify.rendering import shipped_templates
from civicflow.shared.events.common import Language
from civicflow.shared.reasons import REASONS

# A reason code each type may carry, to show its sentence.
_SAMPLE_REASONS: dict[MessageType, dict[Language, str]] = {
    MessageType.IDENTITY_REJECTED: REASONS["token_expired"],
    MessageType.UNROUTABLE: UNROUTABLE_SENTENCES["no_responsible_agency"],
    MessageType.CLARIFICATION_NEEDED: CLARIFICATION_SENTENCES["ambiguous_municipality"],
}
_SAMPLE_LETTERS = {
    MessageType.ACCEPTED: "Ihre Gewerbeanmeldung ist eingetragen.\nDen Gewerbeschein senden wir Ihnen per Post.",
    MessageType.REJECTED: "Für dieses Gewerbe fehlt die Erlaubnis nach § 34c GewO.\n\n"
    "Sie können sie bei uns beantragen.",
    MessageType.INFORMATION_REQUESTED: "Bitte senden Sie uns eine Kopie Ihres Meisterbriefs.",
}
_RATED = (MessageType.ACCEPTED, MessageType.REJECTED)


def sample_context(message_type: MessageType, language: Language) -> MessageContext:
    """Every field a template may use, filled as a real application would fill it."""
    return MessageContext(
        message_type=message_type,
        language=language,
        submission_id=UUID("0b7e6a1c-5d2f-4e8a-9c3b-2f1d4e5a6b7c"),
        citizen_name="Erika Mustermann",
        service_title="Gewerbeanmeldung",
        agency_name="Stadt Köln \N{EN DASH} Gewerbeamt",
        status_link="https://civicflow.example/status/0b7e6a1c-5d2f-4e8a-9c3b-2f1d4e5a6b7c#token=sample",
        reason=_SAMPLE_REASONS.get(message_type, {}).get(language, ""),
        letter=_SAMPLE_LETTERS.get(message_type, ""),
        choices=("Köln", "Bergisch Gladbach"),
        rating_link="https://civicflow.example/rate/sample" if message_type in _RATED else None,
    )


def add_preview_command(commands: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    preview = commands.add_parser("preview", help="render a message template with sample data")
    preview.add_argument("template", help=f"the message type: {', '.join(MessageType)}")
    preview.add_argument("--lang", choices=get_args(Language), default="de", help="the language (default: de)")
    preview.add_argument("--html", action="store_true", help="print the HTML part instead of the plain text")


def preview(arguments: argparse.Namespace) -> int:
    """Prints the subject and the body; 2 for a template that does not exist, as for any other usage error."""
    try:
        message_type = MessageType(arguments.template)
    except ValueError:
        known = ", ".join(MessageType)
        print(f"civicflow-notify preview: no template {arguments.template!r}; known: {known}", file=sys.stderr)
        return 2
    message = shipped_templates().render(sample_context(message_type, arguments.lang))
    print(f"Subject: {message.subject}\n")
    print(message.html if arguments.html else message.body)
    return 0
