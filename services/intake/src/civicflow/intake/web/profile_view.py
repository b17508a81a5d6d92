"""The profile page's content: each value of the profile with where it came from and when, the citizen's own
applications in plain words, and the contact preferences as a form (read back from a post, checked by the same
model identity takes them with)."""

from dataclasses import dataclass
from typing import get_args

from pydantic import ValidationError
from starlette.datastructures import FormData

from civicflow.intake.domain.catalogue import Catalogue
from civicflow.intake.domain.messages import Language, message
from civicflow.intake.domain.profile import ProfileValue
from civicflow.intake.profiles import OwnSubmission
from civicflow.intake.web.fields import Input, Option, applicant_inputs
from civicflow.intake.web.i18n import words
from civicflow.intake.web.pages import local_date, local_time
from civicflow.shared.events import ContactPreferences, Profile
from civicflow.shared.events.common import ChosenChannel

LANGUAGE_NAMES = {"de": "Deutsch", "en": "English"}
# The channels a citizen may choose (notify's channels), by the words that name them.
CHANNELS: tuple[str, ...] = get_args(ChosenChannel)
# The preferences' inputs, by the model's field each fills.
CONTACT_FIELDS = ("email", "language", "channel", "phone", "mailbox")
# pydantic's error types, as the kinds of failure a citizen is told about (domain.messages.GENERIC).
_KINDS = {"missing": "required", "literal_error": "enum", "string_pattern_mismatch": "pattern"}


@dataclass(frozen=True)
class Row:
    name: str
    label: str
    shown: str
    verified: bool
    source: str  # where it came from and when, in words


@dataclass(frozen=True)
class OwnRow:
    submission_id: str
    title: str
    status: str  # the step's name, for the page's markup
    status_words: str
    received: str


def rows(values: list[ProfileValue], language: Language) -> list[Row]:
    t = words(language)
    labels = {item.name: item.label for item in applicant_inputs(language)}
    labels |= {f"contact.{name}": t[f"contact_{name}"] for name in CONTACT_FIELDS[1:]}
    return [
        Row(
            value.name,
            labels.get(value.name, value.name),
            _shown(value, t),
            value.verified,
            _source(value, t),
        )
        for value in values
    ]


def _shown(value: ProfileValue, t: dict[str, str]) -> str:
    if value.name == "contact.language":
        return LANGUAGE_NAMES.get(value.value, value.value)
    if value.name == "contact.channel":
        return t.get(f"channel_{value.value}", value.value)
    return value.value  # as the form shows it (domain.profile writes a date as day.month.year)


def _source(value: ProfileValue, t: dict[str, str]) -> str:
    if value.verified:
        return t["source_verified"].format(provider=value.source_name, time=local_time(value.at))
    return t[f"source_{value.source}"].format(date=local_date(value.at))


def own_rows(submissions: list[OwnSubmission], catalogue: Catalogue, language: Language) -> list[OwnRow]:
    t = words(language)
    found = []
    for submission in submissions:
        spec = catalogue.get(submission.service_id)
        found.append(
            OwnRow(
                str(submission.submission_id),
                spec.title.in_(language) if spec else submission.service_id,
                submission.status,
                t.get(f"step_{submission.status}", submission.status),
                local_date(submission.received_at),
            )
        )
    return found


def contact_inputs(language: Language) -> list[Input]:
    t = words(language)
    languages = tuple(Option(code, name) for code, name in LANGUAGE_NAMES.items())
    channels = tuple(Option(channel, t[f"channel_{channel}"]) for channel in CHANNELS)
    return [
        Input("contact.email", t["contact_email"], "email", True, t["contact_email_hint"], "email", max_length=200),
        Input("contact.language", t["contact_language"], "radios", True, options=languages),
        Input("contact.channel", t["contact_channel"], "radios", True, options=channels),
        Input("contact.phone", t["contact_phone"], "tel", False, t["contact_phone_hint"], "tel", max_length=16),
        Input("contact.mailbox", t["contact_mailbox"], "text", False, t["contact_mailbox_hint"], max_length=100),
    ]


def contact_values(profile: Profile | None) -> dict[str, str]:
    if profile is None:
        return {}
    kept = profile.contact.model_dump(mode="json")
    return {f"contact.{name}": kept[name] for name in CONTACT_FIELDS if kept[name] is not None}


def posted_contact(form: FormData) -> dict[str, str]:
    return {f"contact.{name}": str(form.get(f"contact.{name}", "")).strip()[:200] for name in CONTACT_FIELDS}


def contact_of(values: dict[str, str], language: Language) -> ContactPreferences | dict[str, str]:
    """The preferences posted, or each failing field's message, by input name."""
    posted = {name: values.get(f"contact.{name}", "") for name in CONTACT_FIELDS}
    try:
        # An empty phone or mailbox input is none given (the model says which channel needs it).
        return ContactPreferences.model_validate(
            {name: value for name, value in posted.items() if value or name not in ("phone", "mailbox")}
        )
    except ValidationError as error:
        failed = {str(item["loc"][0]): item["type"] for item in error.errors()}
    return {
        f"contact.{name}": message("email" if name == "email" else _KINDS.get(kind, "invalid"), language)
        for name, kind in sorted(failed.items())
        if name in CONTACT_FIELDS
    }
