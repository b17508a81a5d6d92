"""A citizen's journey through one application, as each form post continues it: the service, the language, what
was typed and attached, the sign-in, and the visit's random id."""

from dataclasses import dataclass
from typing import Any
from uuid import UUID, uuid4

from fastapi import Request
from starlette.datastructures import FormData

from civicflow.intake.domain.attachments import StoredAttachment
from civicflow.intake.domain.catalogue import Catalogue, ServiceSpec
from civicflow.intake.domain.experience import device_of
from civicflow.intake.domain.messages import Language
from civicflow.intake.domain.sign_in import SignedIn, enough
from civicflow.intake.domain.validation_errors import FieldError
from civicflow.intake.handlers import Attachments
from civicflow.intake.web.attaching import attached, kept_files
from civicflow.intake.web.fields import applicant_inputs, posted_values, request_body, service_inputs
from civicflow.shared.events.experience import Device

FORM_LIMIT = 1024 * 1024
# The consent checkbox's name (it is no field of the applicant or the form: it travels on its own).
KEEP_PROFILE = "keep_profile"


@dataclass(frozen=True)
class Journey:
    """Where a citizen is in one application: the service, their language, what they typed and attached, and the
    visit's random id (for the experience events; it names no one and no submission)."""

    spec: ServiceSpec
    language: Language
    values: dict[str, str]  # as typed, by input name
    attached: list[StoredAttachment]
    journey_id: UUID
    device: Device
    signed_in: SignedIn | None = None
    # The citizen's consent to keep their details as their profile (the form's checkbox, offered when signed in).
    keep_profile: bool = False

    def body(self) -> dict[str, Any]:
        """As the API takes it: with the sign-in's ID token as the identity assertion, and the consent."""
        body = request_body(self.spec, self.values, self.language)
        body["attachments"] = [stored.ref.model_dump(mode="json") for stored in self.attached]
        if self.signed_in is not None:
            body["identity_token"] = self.signed_in.id_token
            body["keep_profile"] = self.keep_profile
        return body


def verified_values(signed_in: SignedIn | None) -> dict[str, str]:
    """What the sign-in says of the applicant, as the inputs hold it: shown, never taken from the form."""
    if signed_in is None:
        return {}
    return {
        "applicant.given_name": signed_in.given_name,
        "applicant.family_name": signed_in.family_name,
        "applicant.birth_date": signed_in.birth_date.strftime("%d.%m.%Y"),
    }


def fileable(catalogue: Catalogue, service_id: str, signed_in: SignedIn | None) -> ServiceSpec | None:
    """The service, where the citizen may file it now: one that needs no identity, or signed in well enough."""
    spec = catalogue.get(service_id)
    return spec if spec is not None and enough(signed_in, spec.minimum_level_of_assurance) else None


@dataclass(frozen=True)
class Posted:
    journey: Journey
    action: str  # "change" back from the summary, else a check of the form
    key: str  # the summary's idempotency key
    upload_errors: list[FieldError]


async def read(
    attachments: Attachments,
    request: Request,
    spec: ServiceSpec,
    language: Language,
    form: FormData,
    uploads: bool,
    signed_in: SignedIn | None,
) -> Posted:
    """What the post says, as the journey it continues: the confirmed details from the sign-in, never the form."""
    typed = posted_values([*applicant_inputs(language), *service_inputs(spec, language)], form)
    values = typed | verified_values(signed_in)
    if uploads:
        files, errors = await attached(form, spec, attachments, language)
    else:
        files, errors = await kept_files(form, spec, attachments), []
    device = device_of(request.headers.get("user-agent"))
    keep = signed_in is not None and form.get(KEEP_PROFILE) == "yes"
    journey = Journey(spec, language, values, files, journey_id(form), device, signed_in, keep)
    return Posted(journey, str(form.get("action", "")), str(form.get("key", "")), errors)


def journey_id(form: FormData) -> UUID:
    """The visit's random id, carried from page to page in a hidden field; a new one if it is not one."""
    try:
        return UUID(str(form.get("journey")))
    except ValueError:
        return uuid4()
