"""The citizen's form as HTML inputs: the applicant's details and the service's own fields (rendered from its JSON
Schema), and back from the posted strings to the JSON body the API validates (so page and API agree on every rule).

An input is named by its place in that body ("form.letter_date" for /form/letter_date), so a JSON Pointer from
validation finds its input. Inputs follow the GOV.UK Design System's advice for phones: text inputs with
`inputmode` instead of `type=number`, dates typed as day.month.year, autocomplete tokens for personal details."""

import re
from dataclasses import dataclass
from typing import Any

from starlette.datastructures import FormData

from civicflow.intake.domain.catalogue import Language, LocalText, ServiceSpec

# Longer text than this gets a text area.
LONG_TEXT = 200
GERMAN_DATE = re.compile(r"^\s*(\d{1,2})\.(\d{1,2})\.(\d{4})\s*$")
GERMAN_NUMBER = re.compile(r"^\s*-?\d{1,9}(,\d{1,4})?\s*$")


@dataclass(frozen=True)
class Option:
    value: str
    label: str


@dataclass(frozen=True)
class Input:
    name: str  # the place in the JSON body, dotted: applicant.address.city
    label: str
    kind: str  # text | email | tel | date | number | integer | textarea | select | radios | checkbox
    required: bool
    hint: str = ""
    autocomplete: str = ""
    options: tuple[Option, ...] = ()
    max_length: int = 0

    @property
    def id(self) -> str:
        return "f-" + self.name.replace(".", "-")

    @property
    def pointer(self) -> str:
        return "/" + self.name.replace(".", "/")


def _text(de: str, en: str) -> LocalText:
    return LocalText(de=de, en=en)


# (name, label, kind, autocomplete, hint)
_APPLICANT = (
    ("applicant.given_name", _text("Vorname", "First name"), "text", "given-name", None),
    ("applicant.family_name", _text("Nachname", "Last name"), "text", "family-name", None),
    ("applicant.birth_date", _text("Geburtsdatum", "Date of birth"), "date", "bday", None),
    (
        "applicant.email",
        _text("E-Mail-Adresse", "Email address"),
        "email",
        "email",
        _text(
            "Dorthin schicken wir Ihnen jede Nachricht zu Ihrem Antrag.",
            "We send every message about your application there.",
        ),
    ),
    ("applicant.address.street", _text("Straße und Hausnummer", "Street and number"), "text", "address-line1", None),
    ("applicant.address.postal_code", _text("Postleitzahl", "Postcode"), "postal", "postal-code", None),
    ("applicant.address.city", _text("Ort", "Town or city"), "text", "address-level2", None),
)
DATE_HINT = _text("Zum Beispiel 27.03.1985", "For example 27.03.1985")
# A form's own dates (a letter's, a start) are typed the same way.
FORM_DATE_HINT = _text("Als Tag.Monat.Jahr, zum Beispiel 01.12.2026.", "As day.month.year, for example 01.12.2026.")


def applicant_inputs(language: Language) -> list[Input]:
    return [
        Input(
            name,
            label.in_(language),
            "text" if kind == "postal" else kind,
            True,
            hint=(hint or (DATE_HINT if kind == "date" else None) or _NO_HINT).in_(language).strip(),
            autocomplete=autocomplete,
            max_length=5 if kind == "postal" else 200,
        )
        for name, label, kind, autocomplete, hint in _APPLICANT
    ]


_NO_HINT = _text(" ", " ")


def service_inputs(spec: ServiceSpec, language: Language) -> list[Input]:
    required = set(spec.form.get("required", []))
    return [
        _service_input(name, schema, name in required, language) for name, schema in spec.form["properties"].items()
    ]


def _service_input(name: str, schema: dict[str, Any], required: bool, language: Language) -> Input:
    hint = schema.get("x-hint", {}).get(language, "")
    if schema.get("format") == "date":
        hint = f"{hint} {FORM_DATE_HINT.in_(language)}".strip()
    options = tuple(
        Option(str(value), schema.get("x-options", {}).get(value, {}).get(language, str(value)))
        for value in schema.get("enum", [])
    )
    return Input(
        f"form.{name}",
        schema["x-label"][language],
        _kind(schema, options),
        required,
        hint=hint,
        options=options,
        max_length=int(schema.get("maxLength", 0)),
    )


def _kind(schema: dict[str, Any], options: tuple[Option, ...]) -> str:
    kind = str(schema.get("type"))
    if options:
        return "radios" if len(options) <= 5 else "select"
    if kind == "boolean":
        return "checkbox"
    if kind in ("integer", "number"):
        return kind
    if schema.get("format") in ("date", "email"):
        return str(schema["format"])
    return "textarea" if schema.get("maxLength", 0) > LONG_TEXT else "text"


def posted_values(inputs: list[Input], posted: FormData) -> dict[str, str]:
    """What the citizen typed, by input name, as typed (to show it again)."""
    values = {}
    for item in inputs:
        value = posted.get(item.name)
        if isinstance(value, str) and value.strip():
            values[item.name] = value[:10_000]
    return values


def request_body(spec: ServiceSpec, values: dict[str, str], language: Language) -> dict[str, Any]:
    """The JSON body the API takes, from the typed values; what cannot be converted is passed on as typed, so that
    validation names it."""
    kinds = {item.name: item.kind for item in [*applicant_inputs(language), *service_inputs(spec, language)]}
    body: dict[str, Any] = {"service_id": spec.service_id, "applicant": {"language": language}, "form": {}}
    for name, text in values.items():
        if name not in kinds:
            continue
        *parents, leaf = name.split(".")
        target = body
        for part in parents:
            target = target.setdefault(part, {})
        target[leaf] = _converted(kinds[name], text)
    if "address" not in body["applicant"]:
        body["applicant"]["address"] = {}
    return body


def _converted(kind: str, text: str) -> Any:
    text = text.strip()
    if kind == "checkbox":
        return text == "yes"
    if kind == "date" and (match := GERMAN_DATE.match(text)):
        day, month, year = match.groups()
        return f"{year}-{int(month):02d}-{int(day):02d}"
    if kind in ("number", "integer") and GERMAN_NUMBER.match(text):
        number = float(text.replace(",", "."))
        return int(number) if kind == "integer" and number.is_integer() and "," not in text else number
    return text


def display_value(item: Input, text: str) -> str:
    """A typed value as the summary page shows it (the option's label rather than its key)."""
    labels = {option.value: option.label for option in item.options}
    if item.kind == "checkbox":
        return "✓"
    return labels.get(text, text)
