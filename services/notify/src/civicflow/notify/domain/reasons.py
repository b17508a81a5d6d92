"""Why an application stopped or waits, as the sentence a mail puts in the citizen's words. Identity's reasons are
the ones the status page shows too (shared.reasons); routing's are worded for a mail, which has to say what happens
now and what the citizen can do."""

from civicflow.shared.events import IdentityRejected, StatusEvent, SubmissionNeedsClarification, SubmissionUnroutable
from civicflow.shared.events.common import Language
from civicflow.shared.reasons import REASONS

# Why routing asks (shared.events.routing.ClarificationReason). Each follows "we need an answer from you:".
CLARIFICATION_SENTENCES: dict[str, dict[Language, str]] = {
    "ambiguous_municipality": {
        "de": "Ihre Postleitzahl gehört zu mehreren Gemeinden, und der Ort sagt nicht, zu welcher.",
        "en": "your postcode belongs to several municipalities, and the town does not say which.",
    },
    "postal_code_city_mismatch": {
        "de": "Die Postleitzahl und der Ort in Ihrer Anschrift passen nicht zusammen.",
        "en": "the postcode and the town in your address do not go together.",
    },
}

# Why an application could not be delivered, and what happens now (shared.events.routing.UnroutableReason). Each is
# the whole message, right after the greeting, hence its lower-case start.
UNROUTABLE_SENTENCES: dict[str, dict[Language, str]] = {
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


def reason_sentence(event: StatusEvent, language: Language) -> str:
    """The event's reason code in plain words; empty for a step that has no reason."""
    if isinstance(event, SubmissionNeedsClarification):
        return CLARIFICATION_SENTENCES[event.reason][language]
    if isinstance(event, SubmissionUnroutable):
        return UNROUTABLE_SENTENCES[event.reason][language]
    if isinstance(event, IdentityRejected):
        return REASONS[event.reason][language]
    return ""
