import pytest

from civicflow.local.sample import BUSINESS_REGISTRATION, ERIKA
from civicflow.routing.adapters.file_reference_data import load_agency_registry, load_postal_index
from civicflow.routing.handlers import route_submission
from civicflow.shared import topics
from civicflow.shared.events import (
    AgencySubmission,
    Applicant,
    IdentityVerified,
    SubmissionRouted,
    SubmissionUnroutable,
)
from civicflow.shared.security.keys import KeyName
from civicflow.shared.security.sealing import Unsealable, sealer_for
from tests.support import sealing
from tests.unit.fakes import FakePublisher

KEYS = sealing.made_keys()
INTAKE = sealing.sealer_with_every_key(KEYS)
ROUTING = sealer_for(KEYS, KeyName.APPLICANT)


def verified(postal_code: str, city: str) -> IdentityVerified:
    applicant = Applicant.model_validate(
        ERIKA | {"address": {"street": "Markt 1", "postal_code": postal_code, "city": city}}
    )
    return sealing.verified(INTAKE, applicant, BUSINESS_REGISTRATION, "99050012104000")


async def test_a_routed_application_is_delivered_to_its_agency_topic_then_announced() -> None:
    publisher = FakePublisher()
    event = verified("51147", "Köln")
    await route_submission(event, load_postal_index(), load_agency_registry(), ROUTING, publisher)
    assert publisher.topics() == [topics.agency_submissions("koeln-gewerbe"), topics.SUBMISSION_ROUTED]
    delivery, routed = publisher.published[0][1], publisher.published[1][1]
    assert isinstance(delivery, AgencySubmission) and isinstance(routed, SubmissionRouted)
    assert delivery.form == BUSINESS_REGISTRATION and delivery.level_of_assurance == "substantial"
    assert delivery.applicant.address.postal_code == "51147" and delivery.citizen_id == event.citizen_id
    assert "Erika" not in routed.model_dump_json()  # the status event carries no personal data
    assert {key for _, _, key in publisher.published} == {str(event.submission_id)}


async def test_no_responsible_agency_gives_an_unroutable_event_not_a_silent_drop() -> None:
    publisher = FakePublisher()
    await route_submission(
        verified("24937", "Flensburg"),
        load_postal_index(),
        load_agency_registry(),
        ROUTING,
        publisher,
    )
    assert publisher.topics() == [topics.SUBMISSION_UNROUTABLE]
    unroutable = publisher.published[0][1]
    assert isinstance(unroutable, SubmissionUnroutable) and unroutable.reason == "no_responsible_agency"


async def test_an_applicant_sealed_for_another_submission_does_not_open() -> None:
    event, other = verified("51147", "Köln"), verified("10115", "Berlin")
    forged = event.model_copy(update={"applicant": other.applicant})
    publisher = FakePublisher()
    with pytest.raises(Unsealable):
        await route_submission(forged, load_postal_index(), load_agency_registry(), ROUTING, publisher)
    assert publisher.published == []
