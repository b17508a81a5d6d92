"""A signed-in citizen's form filled from their profile (profiles.CitizenProfiles.prefill): what they gave before,
editable, each value with a note of where it came from. The verified values (names, birth date) the form shows come
from the sign-in itself (journey.verified_values), never from the profile or the form.

Prefilled values travel as typed ones do, in the form's fields, so validation checks them again on every post:
nothing is trusted for having been kept."""

import logging
from dataclasses import dataclass, field

from civicflow.intake.domain.catalogue import ServiceSpec
from civicflow.intake.domain.profile import ProfileValue
from civicflow.intake.domain.sign_in import SignedIn
from civicflow.intake.profiles import CitizenProfiles
from civicflow.intake.web.fields import Input

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Prefilled:
    values: dict[str, str] = field(default_factory=dict)  # as the inputs take them, by input name
    sources: dict[str, ProfileValue] = field(default_factory=dict)  # where each came from, for its note
    has_profile: bool = False


async def prefilled(
    profiles: CitizenProfiles, signed_in: SignedIn | None, spec: ServiceSpec, inputs: list[Input]
) -> Prefilled:
    """The form's values from the citizen's profile; none without a sign-in or a profile."""
    if signed_in is None:
        return Prefilled()
    try:
        found = await profiles.prefill(signed_in.citizen_id, spec)
    except Exception:  # a convenience: without it the citizen types, as without a profile
        logger.warning("profile not read for prefilling the form", exc_info=True)
        return Prefilled()
    names = {item.name for item in inputs}
    # As the inputs take them (domain.profile writes a date as day.month.year).
    editable = [value for value in found if not value.verified and value.name in names]
    return Prefilled(
        values={value.name: value.value for value in editable},
        sources={value.name: value for value in editable},
        # Every form asks for the applicant's details: a profile always fills some of them.
        has_profile=bool(found),
    )
