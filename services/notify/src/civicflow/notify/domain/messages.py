"""What the citizen is told at each step, in German or English. Plain words, the reference number, no
personal data beyond what the citizen needs to recognise their application."""

from dataclasses import dataclass

from civicflow.shared.events import (
    IdentityRejected,
    IdentityVerified,
    StatusEvent,
    Step,
    SubmissionReceived,
    SubmissionRouted,
    SubmissionUnroutable,
)


@dataclass(frozen=True)
class Message:
    subject: str
    body: str
    language: str


_SUBJECTS = {
    Step.RECEIVED: {"de": "Ihr Antrag ist eingegangen", "en": "We have received your application"},
    Step.VERIFIED: {"de": "Ihre Identität wurde bestätigt", "en": "Your identity has been confirmed"},
    Step.REJECTED: {
        "de": "Ihre Identität konnte nicht bestätigt werden",
        "en": "We could not confirm your identity",
    },
    Step.ROUTED: {
        "de": "Ihr Antrag wurde an die zuständige Stelle übermittelt",
        "en": "Your application has been passed to the responsible office",
    },
    Step.UNROUTABLE: {
        "de": "Für Ihren Antrag wurde keine zuständige Stelle gefunden",
        "en": "We could not find the office responsible for your application",
    },
}

_BODIES = {
    Step.RECEIVED: {
        "de": "wir haben Ihren Antrag erhalten und prüfen nun Ihre Identität.",
        "en": "we have received your application and are now checking your identity.",
    },
    Step.VERIFIED: {
        "de": "Ihre Identität wurde bestätigt. Wir ermitteln nun die zuständige Stelle.",
        "en": "your identity has been confirmed. We are now finding the office responsible.",
    },
    Step.REJECTED: {
        "de": "Ihre Identität konnte nicht bestätigt werden (Grund: {reason}). Ihr Antrag wird nicht "
        "weitergeleitet. Bitte melden Sie sich erneut an und stellen Sie den Antrag noch einmal.",
        "en": "we could not confirm your identity (reason: {reason}). Your application will not be passed "
        "on. Please sign in again and submit the application once more.",
    },
    Step.ROUTED: {
        "de": "Ihr Antrag liegt jetzt der zuständigen Stelle vor ({agency_id}). Sie meldet sich bei Ihnen.",
        "en": "your application is now with the responsible office ({agency_id}). It will contact you.",
    },
    Step.UNROUTABLE: {
        "de": "Für Ihre Anschrift haben wir keine zuständige Stelle gefunden (Grund: {reason}). Ihr Antrag ist "
        "gespeichert; wir melden uns, sobald er zugestellt werden kann.",
        "en": "we could not find the office responsible for your address (reason: {reason}). Your application "
        "is kept; we will contact you as soon as it can be delivered.",
    },
}

_FRAME = {
    "de": "Guten Tag,\n\n{text}\n\nIhre Vorgangsnummer: {submission_id}\n\nMit freundlichen Grüßen\nCivicFlow",
    "en": "Hello,\n\n{text}\n\nYour reference number: {submission_id}\n\nKind regards\nCivicFlow",
}

NOTIFIED_STEPS = (
    SubmissionReceived,
    IdentityVerified,
    IdentityRejected,
    SubmissionRouted,
    SubmissionUnroutable,
)


def compose(event: StatusEvent) -> Message:
    language = event.recipient.language
    text = _BODIES[event.step][language].format(
        reason=getattr(event, "reason", ""), agency_id=getattr(event, "agency_id", "")
    )
    body = _FRAME[language].format(text=text, submission_id=event.submission_id)
    return Message(subject=_SUBJECTS[event.step][language], body=body, language=language)
