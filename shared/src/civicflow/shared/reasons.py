"""Why an application stopped, in plain words, for every reason code of identity and routing: the status page and
the mails say the same (a unit test keeps this complete)."""

from typing import Final

from civicflow.shared.events.common import Language

REASONS: Final[dict[str, dict[Language, str]]] = {
    "token_malformed": {
        "de": "Ihre Identitätsbestätigung war unlesbar.",
        "en": "Your proof of identity could not be read.",
    },
    "signature_invalid": {
        "de": "Ihre Identitätsbestätigung war nicht echt unterschrieben.",
        "en": "Your proof of identity was not genuinely signed.",
    },
    "token_expired": {
        "de": "Ihre Anmeldung war abgelaufen. Bitte melden Sie sich neu an und stellen Sie den Antrag noch einmal.",
        "en": "Your sign-in had expired. Please sign in again and file the application again.",
    },
    "token_not_yet_valid": {
        "de": "Ihre Identitätsbestätigung war noch nicht gültig.",
        "en": "Your proof of identity was not valid yet.",
    },
    "token_lifetime_too_long": {
        "de": "Ihre Identitätsbestätigung war ungewöhnlich lange gültig; wir nehmen sie deshalb nicht an.",
        "en": "Your proof of identity was valid for unusually long, so we do not accept it.",
    },
    "token_replayed": {
        "de": "Mit dieser Anmeldung wurde schon ein Antrag gestellt. Bitte melden Sie sich für jeden Antrag neu an.",
        "en": "This sign-in was already used for an application. Please sign in again for each application.",
    },
    "issuer_mismatch": {
        "de": "Ihre Identitätsbestätigung kam nicht von einem Anbieter, dem wir vertrauen.",
        "en": "Your proof of identity did not come from a provider we trust.",
    },
    "audience_mismatch": {
        "de": "Ihre Identitätsbestätigung war für einen anderen Dienst ausgestellt.",
        "en": "Your proof of identity was issued for another service.",
    },
    "claims_missing": {
        "de": "In Ihrer Identitätsbestätigung fehlten Angaben.",
        "en": "Your proof of identity lacked details.",
    },
    "applicant_mismatch": {
        "de": "Name oder Geburtsdatum im Antrag passen nicht zu Ihrer Identitätsbestätigung.",
        "en": "The name or date of birth in the application does not match your proof of identity.",
    },
    "level_of_assurance_unknown": {
        "de": "Das Vertrauensniveau Ihrer Anmeldung ist uns unbekannt.",
        "en": "The level of assurance of your sign-in is unknown to us.",
    },
    "identity_missing": {
        "de": "Für diese Leistung müssen Sie sich ausweisen.",
        "en": "This service needs proof of identity.",
    },
    "level_of_assurance_insufficient": {
        "de": "Diese Leistung verlangt einen stärkeren Nachweis Ihrer Identität, z. B. den Online-Ausweis.",
        "en": "This service needs a stronger proof of identity, such as the online ID card.",
    },
    "unknown_postal_code": {
        "de": "Ihre Postleitzahl kennen wir nicht.",
        "en": "We do not know your postcode.",
    },
    "no_responsible_agency": {
        "de": "Für Ihren Wohnort nimmt noch keine Behörde diesen Antrag über uns an.",
        "en": "No authority for where you live takes this application through us yet.",
    },
    "ambiguous_municipality": {
        "de": "Ihre Postleitzahl gehört zu mehreren Gemeinden, und der Ort sagt nicht, zu welcher.",
        "en": "Your postcode belongs to several municipalities, and the town does not say which.",
    },
    "postal_code_city_mismatch": {
        "de": "Die Postleitzahl und der Ort, die Sie angegeben haben, passen nicht zusammen.",
        "en": "The postcode and the town you gave do not go together.",
    },
    "clarification_not_given": {
        "de": "Wir haben Sie gefragt, in welcher Gemeinde Ihre Anschrift liegt, aber keine Antwort bekommen. "
        "Stellen Sie den Antrag bitte neu.",
        "en": "We asked which municipality your address is in but did not get an answer. Please apply again.",
    },
    "erased_while_waiting": {
        "de": "Sie haben Ihre Daten löschen lassen, während der Antrag auf Ihre Antwort wartete.",
        "en": "You had your data erased while the application waited for your answer.",
    },
    "agency_cannot_receive": {
        "de": "Die zuständige Behörde kann zurzeit keine Anträge über uns empfangen. Bitte wenden Sie sich direkt an "
        "sie.",
        "en": "The authority responsible cannot receive applications through us at the moment. Please contact it "
        "directly.",
    },
}
