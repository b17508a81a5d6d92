"""What the citizen is told at each step, in German or English. Plain words, the reference number, no
personal data beyond what the citizen needs to recognise their application."""

from dataclasses import dataclass

from civicflow.shared.events import (
    IdentityRejected,
    IdentityVerified,
    StatusEvent,
    Step,
    SubmissionDecided,
    SubmissionNeedsClarification,
    SubmissionReceived,
    SubmissionRouted,
    SubmissionUnroutable,
)
from civicflow.shared.reasons import REASONS


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
        "de": "Ihre Identität konnte nicht bestätigt werden: {reason} Ihr Antrag wird daher nicht weitergeleitet. "
        "Bitte melden Sie sich erneut an und stellen Sie den Antrag noch einmal.",
        "en": "we could not confirm your identity: {reason} Your application will therefore not be passed on. "
        "Please sign in again and submit the application once more.",
    },
    Step.ROUTED: {
        "de": "Ihr Antrag liegt jetzt der zuständigen Stelle vor ({agency_id}). Sie meldet sich bei Ihnen.",
        "en": "your application is now with the responsible office ({agency_id}). It will contact you.",
    },
    Step.UNROUTABLE: {"de": "{reason}", "en": "{reason}"},
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

# Why an application could not be delivered, and what happens now (shared.events.routing.UnroutableReason).
_UNROUTABLE_REASONS = {
    "unknown_postal_code": {
        "de": "die Postleitzahl Ihrer Anschrift kennen wir nicht, daher können wir Ihren Antrag keiner Stelle "
        "zuleiten. Bitte prüfen Sie die Anschrift und stellen Sie den Antrag noch einmal.",
        "en": "we do not know the postcode of your address, so we cannot pass your application to an office. "
        "Please check the address and submit the application once more.",
    },
    "no_responsible_agency": {
        "de": "für Ihren Wohnort nimmt noch keine Behörde diesen Antrag über uns an. Ihr Antrag ist gespeichert; "
        "bitte wenden Sie sich bis dahin direkt an Ihre Gemeinde.",
        "en": "no authority for where you live takes this application through us yet. Your application is kept; "
        "until then please contact your municipality directly.",
    },
    "ambiguous_municipality": {
        "de": "Ihre Postleitzahl gehört zu mehreren Gemeinden, und der Ort sagt nicht, zu welcher. Bitte stellen "
        "Sie den Antrag mit dem Namen Ihrer Gemeinde noch einmal.",
        "en": "your postcode belongs to several municipalities, and the town does not say which. Please submit "
        "the application once more with the name of your municipality.",
    },
    "clarification_not_given": {
        "de": "wir haben Sie gefragt, in welcher Gemeinde Ihre Anschrift liegt, aber keine Antwort bekommen. Ihr "
        "Antrag wurde daher nicht weitergeleitet; bitte stellen Sie ihn noch einmal.",
        "en": "we asked which municipality your address is in but did not get an answer, so your application was "
        "not passed on. Please submit it once more.",
    },
    "erased_while_waiting": {
        "de": "Sie haben Ihre Daten löschen lassen, während Ihr Antrag auf Ihre Antwort wartete. Er wurde daher "
        "nicht weitergeleitet.",
        "en": "you had your data erased while your application waited for your answer, so it was not passed on.",
    },
    "agency_cannot_receive": {
        "de": "die zuständige Behörde kann Anträge über uns noch nicht verschlüsselt empfangen, und unverschlüsselt "
        "senden wir nichts. Ihr Antrag ist gespeichert; bitte wenden Sie sich bis dahin direkt an die Behörde.",
        "en": "the responsible authority cannot yet receive applications from us encrypted, and we send nothing "
        "unencrypted. Your application is kept; until then please contact the authority directly.",
    },
}

# The agency's decision: a subject and an opening per outcome (shared.events.agency.Outcome), then the agency's own
# words, quoted as they wrote them.
_DECISION_SUBJECTS = {
    "accepted": {"de": "Ihr Antrag wurde bewilligt", "en": "Your application has been accepted"},
    "rejected": {"de": "Ihr Antrag wurde abgelehnt", "en": "Your application has been turned down"},
    "information_requested": {
        "de": "Die Behörde bittet um weitere Angaben zu Ihrem Antrag",
        "en": "The office asks for more information about your application",
    },
}
_DECISION_BODIES = {
    "accepted": {
        "de": "die zuständige Stelle ({agency_id}) hat Ihren Antrag bewilligt. Sie schreibt dazu:\n\n{letter}",
        "en": "the responsible office ({agency_id}) has accepted your application. It writes:\n\n{letter}",
    },
    "rejected": {
        "de": "die zuständige Stelle ({agency_id}) hat Ihren Antrag abgelehnt. Sie begründet das so:\n\n{letter}"
        "\n\nWenn Sie damit nicht einverstanden sind, wenden Sie sich bitte direkt an die Stelle.",
        "en": "the responsible office ({agency_id}) has turned down your application. Its reasons:\n\n{letter}"
        "\n\nIf you disagree, please contact the office directly.",
    },
    "information_requested": {
        "de": "die zuständige Stelle ({agency_id}) braucht für Ihren Antrag noch etwas von Ihnen:\n\n{letter}\n\n"
        "Bitte antworten Sie auf der Statusseite Ihres Antrags (über den Link, den Sie beim Absenden bekommen "
        "haben); wir leiten Ihre Antwort verschlüsselt an die Stelle weiter.",
        "en": "the responsible office ({agency_id}) needs something more from you for your application:\n\n"
        "{letter}\n\nPlease answer on your application's status page (with the link you were given when you sent "
        "it); we pass your answer on to the office, encrypted.",
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
    SubmissionDecided,
)


def compose(event: StatusEvent, letter: str = "") -> Message:
    """The mail for `event`; `letter` is the agency's own words for a decision (opened by the caller)."""
    language = event.recipient.language
    if isinstance(event, SubmissionDecided):
        return _decision(event, letter)
    reason = getattr(event, "reason", "")
    if isinstance(event, SubmissionNeedsClarification):
        reason = _CLARIFICATION_REASONS[event.reason][language]
    elif isinstance(event, SubmissionUnroutable):
        reason = _UNROUTABLE_REASONS[event.reason][language]
    elif isinstance(event, IdentityRejected):
        reason = REASONS[event.reason][language]
    text = _BODIES[event.step][language].format(reason=reason, agency_id=getattr(event, "agency_id", ""))
    body = _FRAME[language].format(text=text, submission_id=event.submission_id)
    return Message(subject=_SUBJECTS[event.step][language], body=body, language=language)


def _decision(event: SubmissionDecided, letter: str) -> Message:
    language = event.recipient.language
    quoted = "\n".join(f"> {line}" if line else ">" for line in letter.splitlines())
    text = _DECISION_BODIES[event.outcome][language].format(agency_id=event.agency_id, letter=quoted)
    body = _FRAME[language].format(text=text, submission_id=event.submission_id)
    return Message(subject=_DECISION_SUBJECTS[event.outcome][language], body=body, language=language)
