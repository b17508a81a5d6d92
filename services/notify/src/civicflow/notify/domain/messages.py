"""What the citizen is told at each step, in German or English. Plain words, the reference number, no
personal data beyond what the citizen needs to recognise their application."""

from dataclasses import dataclass

from civicflow.shared.events import (
    IdentityRejected,
    IdentityVerified,
    StatusEvent,
    Step,
    SubmissionNeedsClarification,
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
    Step.CLARIFICATION_NEEDED: {
        "de": "Bitte beantworten Sie eine Rückfrage zu Ihrem Antrag",
        "en": "Please answer a question about your application",
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
    # The status link is not in any mail (it is a bearer secret): the citizen has it from the confirmation page, or
    # from the API's answer. Neither the postal code nor the town they typed is repeated here.
    Step.CLARIFICATION_NEEDED: {
        "de": "bevor Ihr Antrag an die zuständige Stelle gehen kann, brauchen wir eine Antwort von Ihnen: {reason} "
        "Bitte öffnen Sie die Statusseite Ihres Antrags über den Link, den Sie beim Absenden bekommen haben (auf "
        "der Bestätigungsseite), und wählen Sie dort, in welcher Gemeinde Ihre Anschrift liegt. Bis dahin wartet "
        "Ihr Antrag bei uns.",
        "en": "before your application can go to the responsible office, we need an answer from you: {reason} "
        "Please open your application's status page with the link you were given when you sent it (on the "
        "confirmation page), and choose there which municipality your address is in. Until then your application "
        "waits with us.",
    },
}

# Why routing asks, in plain words (shared.events.routing.ClarificationReason).
_CLARIFICATION_REASONS = {
    "ambiguous_municipality": {
        "de": "Ihre Postleitzahl gehört zu mehreren Gemeinden, und der Ort sagt nicht, zu welcher.",
        "en": "your postcode belongs to several municipalities, and the town does not say which.",
    },
    "postal_code_city_mismatch": {
        "de": "Die Postleitzahl und der Ort in Ihrer Anschrift passen nicht zusammen.",
        "en": "the postcode and the town in your address do not go together.",
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
    SubmissionNeedsClarification,
)


def compose(event: StatusEvent) -> Message:
    language = event.recipient.language
    reason = getattr(event, "reason", "")
    if isinstance(event, SubmissionNeedsClarification):
        reason = _CLARIFICATION_REASONS[event.reason][language]
    text = _BODIES[event.step][language].format(reason=reason, agency_id=getattr(event, "agency_id", ""))
    body = _FRAME[language].format(text=text, submission_id=event.submission_id)
    return Message(subject=_SUBJECTS[event.step][language], body=body, language=language)
