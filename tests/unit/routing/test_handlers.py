from datetime import UTC, datetime
from uuid import uuid4

from civicflow.local.sample import BUSINESS_REGISTRATION, ERIKA
from civicflow.routing.adapters.file_reference_data import load_agency_registry, load_postal_index
from civicflow.routing.handlers import route_submission
from civicflow.shared import topics
from civicflow.shared.events import (
    AgencySubmission,
    Applicant,
    IdentityVerified,
    Recipient,
    SubmissionRouted,
    SubmissionUnroutable,
)
from tests.unit.fakes import FakePublisher


def verified(postal_code: str, city: str) -> IdentityVerified:
    applicant = Applicant.model_validate(
        ERIKA | {"address": {"street": "Markt 1", "postal_code": postal_code, "city": city}}
    )
    return IdentityVerified(
        submission_id=uuid4(),
        recipient=Recipient.of(applicant),
        service_id="99050012104000",
        applicant=applicant,
        form=BUSINESS_REGISTRATION,
        level_of_assurance="substantial",
        received_at=datetime.now(UTC),
    )


async def test_a_routed_application_is_delivered_to_its_agency_topic_then_announced() -> None:
    publisher = FakePublisher()
    event = verified("51147", "Köln")
    await route_submission(event, load_postal_index(), load_agency_registry(), publisher)
    assert publisher.topics() == [topics.agency_submissions("koeln-gewerbe"), topics.SUBMISSION_ROUTED]
    delivery, routed = publisher.published[0][1], publisher.published[1][1]
    assert isinstance(delivery, AgencySubmission) and isinstance(routed, SubmissionRouted)
    assert delivery.form == BUSINESS_REGISTRATION and delivery.level_of_assurance == "substantial"
    assert {key for _, _, key in publisher.published} == {str(event.submission_id)}


async def test_no_responsible_agency_gives_an_unroutable_event_not_a_silent_drop() -> None:
    publisher = FakePublisher()
    await route_submission(
        verified("24937", "Flensburg"),
        load_postal_index(),
        load_agency_registry(),
        publisher,
    )
    assert publisher.topics() == [topics.SUBMISSION_UNROUTABLE]
    unroutable = publisher.published[0][1]
    assert isinstance(unroutable, SubmissionUnroutable) and unroutable.reason == "no_responsible_agency"
