"""What a citizen is told about a field that failed, in their language: the form's own message for the field
where it has one (`x-messages`), else one of these, by the kind of failure. Plain language, addressed to the
citizen, never quoting what they typed."""

from typing import Any, Literal

Language = Literal["de", "en"]
DEFAULT_LANGUAGE: Language = "de"

GENERIC: dict[str, dict[Language, str]] = {
    "required": {"de": "Bitte füllen Sie dieses Feld aus.", "en": "Please fill in this field."},
    "type": {"de": "Diese Angabe hat nicht die erwartete Form.", "en": "This entry is not of the expected kind."},
    "minLength": {"de": "Bitte füllen Sie dieses Feld aus.", "en": "Please fill in this field."},
    "maxLength": {"de": "Der Text ist zu lang.", "en": "The text is too long."},
    "pattern": {"de": "Die Angabe hat nicht das erwartete Format.", "en": "The entry is not in the expected format."},
    "enum": {"de": "Bitte wählen Sie eine der angebotenen Möglichkeiten.", "en": "Please choose one of the options."},
    "format": {"de": "Die Angabe hat nicht das erwartete Format.", "en": "The entry is not in the expected format."},
    "date": {"de": "Bitte geben Sie ein Datum als JJJJ-MM-TT an.", "en": "Please enter a date as YYYY-MM-DD."},
    "postal_code": {
        "de": "Bitte geben Sie eine Postleitzahl mit 5 Ziffern an, z. B. 80331.",
        "en": "Please enter a German postcode of 5 digits, for example 80331.",
    },
    "email": {"de": "Bitte geben Sie eine gültige E-Mail-Adresse an.", "en": "Please enter a valid e-mail address."},
    "minimum": {"de": "Der Wert ist zu klein.", "en": "The value is too small."},
    "maximum": {"de": "Der Wert ist zu groß.", "en": "The value is too large."},
    "additionalProperties": {"de": "Dieses Feld gibt es hier nicht.", "en": "There is no such field here."},
    "text": {
        "de": (
            "Bitte verwenden Sie nur sichtbare Zeichen, ohne Steuer- oder Formatierungszeichen "
            "und ohne Auszeichnungen wie <b>."
        ),
        "en": (
            "Please use visible characters only, without control or formatting characters "
            "and without markup such as <b>."
        ),
    },
    "birth_date": {
        "de": "Bitte geben Sie Ihr Geburtsdatum an (zwischen 1900 und heute, als JJJJ-MM-TT).",
        "en": "Please enter your date of birth (between 1900 and today, as YYYY-MM-DD).",
    },
    "unknown_service": {
        "de": "Diese Leistung gibt es im Katalog nicht.",
        "en": "This service is not in the catalogue.",
    },
    "identity_needed": {
        "de": "Für diese Leistung müssen Sie sich ausweisen: senden Sie eine Identitätsbestätigung mit.",
        "en": "This service needs proof of identity: send an identity assertion with the application.",
    },
    "invalid": {"de": "Diese Angabe ist nicht gültig.", "en": "This entry is not valid."},
}


def message(kind: str, language: Language, field_schema: dict[str, Any] | None = None) -> str:
    own = (field_schema or {}).get("x-messages", {}).get(kind, {})
    if isinstance(own, dict) and isinstance(own.get(language), str):
        return str(own[language])
    return GENERIC.get(kind, GENERIC["invalid"])[language]


def preferred_language(accept_language: str | None) -> Language:
    """The first of German and English the Accept-Language header (RFC 9110 §12.5.4) prefers; German otherwise."""
    best: tuple[float, Language] = (0.0, DEFAULT_LANGUAGE)
    for item in (accept_language or "")[:512].split(",")[:20]:
        tag, _, parameters = item.strip().partition(";")
        primary = tag.strip().lower().split("-")[0]
        if primary not in ("de", "en"):
            continue
        weight = 1.0
        name, _, value = parameters.strip().partition("=")
        if name.strip() == "q":
            try:
                weight = float(value)
            except ValueError:
                continue
        if weight > best[0]:
            best = (weight, "de" if primary == "de" else "en")
    return best[1]
