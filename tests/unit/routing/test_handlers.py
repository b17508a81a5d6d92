import base64
import json

import pytest
from civicflow_agency import wire

from civicflow.local.sample import BUSINESS_REGISTRATION, ERIKA
from civicflow.routing.adapters.file_reference_data import load_postal_index
from civicflow.routing.handlers import Router, route_submission
from civicflow.shared import topics
from civicflow.shared.events import (
    AgencySubmission,
    Applicant,
    IdentityVerified,
    Step,
    SubmissionRouted,
    SubmissionUnroutable,
    derive_event_id,
)
from civicflow.shared.security.keys import KeyName, keyring
from civicflow.shared.security.sealing import Unsealable, sealer_for
from tests.support import sealing
from tests.support.agencies import keyed_registry, open_delivery, unit_key
from tests.unit.fakes import FakeDeliveries, FakePublisher, FakeWaitingApplications

CERTIFICATE = "99027002012000"
BIRTH_CERTIFICATE = {"birth_date": "1964-08-12", "birth_place": "Köln", "copies": 1}
KEYS = sealing.made_keys()
INTAKE = sealing.sealer_with_every_key(KEYS)
ROUTING = sealer_for(KEYS, KeyName.APPLICANT)
PSEUDONYM_KEY = keyring(KEYS, KeyName.AGENCY_PSEUDONYM).current


def router(without_keys: tuple[str, ...] = ()) -> Router:
    registry = keyed_registry(without_keys)
    return Router(
        load_postal_index(), lambda: registry, ROUTING, PSEUDONYM_KEY, FakeWaitingApplications(), FakeDeliveries()
    )


def delivered(publisher: FakePublisher, agency_id: str = "koeln-gewerbe") -> AgencySubmission:
    """The application routing published first, opened with the agency's key."""
    topic, value, _ = publisher.published[0]
    assert topic == topics.agency_submissions(agency_id) and isinstance(value, bytes)
    return open_delivery(value, agency_id)


def verified(postal_code: str, city: str) -> IdentityVerified:
    applicant = Applicant.model_validate(
        ERIKA | {"address": {"street": "Markt 1", "postal_code": postal_code, "city": city}}
    )
    return sealing.verified(INTAKE, applicant, BUSINESS_REGISTRATION, "99050012104000")


async def test_a_routed_application_is_delivered_to_its_agency_topic_then_announced() -> None:
    publisher = FakePublisher()
    event = verified("51147", "Köln")
    await route_submission(event, router(), publisher)
    assert publisher.topics() == [topics.agency_submissions("koeln-gewerbe"), topics.SUBMISSION_ROUTED]
    delivery, routed = delivered(publisher), publisher.published[1][1]
    assert isinstance(routed, SubmissionRouted)
    assert delivery.form == BUSINESS_REGISTRATION and delivery.level_of_assurance == "substantial"
    assert delivery.applicant.address is not None and delivery.applicant.address.postal_code == "51147"
    assert "Erika" not in routed.model_dump_json()  # the status event carries no personal data
    assert {key for _, _, key in publisher.published} == {str(event.submission_id)}


async def test_the_agency_sees_a_citizen_id_of_its_own_and_nothing_of_identitys() -> None:
    event = verified("51147", "Köln")
    birth_certificate = sealing.verified(INTAKE, Applicant.model_validate(ERIKA), BIRTH_CERTIFICATE, CERTIFICATE)
    again = verified("51147", "Köln")  # another application of the same person (the same identity citizen id)
    assert again.citizen_id == event.citizen_id
    deliveries = []
    for each in (event, birth_certificate, again):
        publisher = FakePublisher()
        await route_submission(each, router(), publisher)
        topic = publisher.topics()[0]
        delivery = delivered(publisher, topic.split(".")[1])
        assert delivery.citizen_id is not None
        assert event.citizen_id is not None and event.citizen_id not in delivery.model_dump_json()
        deliveries.append((topic, delivery.citizen_id))
    (gewerbe, first), (standesamt, other), (gewerbe_again, second) = deliveries
    assert gewerbe == gewerbe_again == topics.agency_submissions("koeln-gewerbe")
    assert standesamt == topics.agency_submissions("koeln-standesamt")
    assert first == second != other  # stable at one agency, unlinkable across two


async def test_an_application_without_identity_has_no_citizen_id_at_the_agency() -> None:
    event = verified("51147", "Köln").model_copy(update={"citizen_id": None, "level_of_assurance": "none"})
    publisher = FakePublisher()
    await route_submission(event, router(), publisher)
    assert delivered(publisher).citizen_id is None


async def test_the_agency_is_given_only_what_its_service_needs_and_told_what_was_verified() -> None:
    dog_tax = verified("51147", "Köln").model_copy(update={"agency_needs": ("given_name", "family_name", "address")})
    publisher = FakePublisher()
    await route_submission(dog_tax, router(), publisher)
    delivery = delivered(publisher)
    assert delivery.applicant.birth_date is None and delivery.applicant.email is None
    assert ERIKA["email"] not in delivery.model_dump_json() and "1964" not in delivery.model_dump_json()
    assert delivery.applicant.family_name == ERIKA["family_name"]
    assert delivery.verified_attributes == ("given_name", "family_name")  # its birth date was not handed on
    unidentified = dog_tax.model_copy(update={"citizen_id": None, "level_of_assurance": "none"})
    publisher = FakePublisher()
    await route_submission(unidentified, router(), publisher)
    assert delivered(publisher).verified_attributes == ()


async def test_no_responsible_agency_gives_an_unroutable_event_not_a_silent_drop() -> None:
    publisher = FakePublisher()
    await route_submission(verified("24937", "Flensburg"), router(), publisher)
    assert publisher.topics() == [topics.SUBMISSION_UNROUTABLE]
    unroutable = publisher.published[0][1]
    assert isinstance(unroutable, SubmissionUnroutable) and unroutable.reason == "no_responsible_agency"


async def test_an_applicant_sealed_for_another_submission_does_not_open() -> None:
    event, other = verified("51147", "Köln"), verified("10115", "Berlin")
    forged = event.model_copy(update={"applicant": other.applicant})
    publisher = FakePublisher()
    with pytest.raises(Unsealable):
        await route_submission(forged, router(), publisher)
    assert publisher.published == []


async def test_the_application_is_a_jwe_only_its_agencys_key_opens() -> None:
    publisher = FakePublisher()
    event = verified("51147", "Köln")
    await route_submission(event, router(), publisher)
    value = publisher.published[0][1]
    assert isinstance(value, bytes)
    header = json.loads(base64.urlsafe_b64decode(value.split(b".")[0] + b"=="))
    assert header == {
        "alg": "RSA-OAEP-256",
        "enc": "A256GCM",
        "kid": unit_key("koeln-gewerbe").kid,
        "cty": "application/json",
    }
    assert len(value.split(b".")) == 5  # compact serialization (RFC 7516, 7.1)
    for clear in (b"Erika", b"Mustermann", b"1964", b"Markt 1", b"51147", str(event.event_id).encode()):
        assert clear not in value
    with pytest.raises(wire.NotForThisAgency):
        wire.decrypt(value, [unit_key("koeln-standesamt")])
    opened = delivered(publisher)
    assert opened.event_id == derive_event_id(event.event_id, Step.DELIVERED)  # the event id travels inside
    assert opened.applicant.given_name == ERIKA["given_name"]


async def test_the_headers_carry_routing_metadata_and_nothing_personal() -> None:
    publisher = FakePublisher()
    event = verified("51147", "Köln")
    await route_submission(event, router(), publisher)
    delivery = delivered(publisher)
    assert publisher.headers[0] == {
        wire.HEADER_SUBMISSION_ID: str(event.submission_id),
        wire.HEADER_SERVICE_ID: "99050012104000",
        wire.HEADER_AGENCY_ID: "koeln-gewerbe",
        wire.HEADER_RECEIVED_AT: event.received_at.isoformat(),
        wire.HEADER_SENT_AT: delivery.occurred_at.isoformat(),
        wire.HEADER_CONTENT_TYPE: wire.MEDIA_TYPE,
    }
    assert publisher.published[0][2] == str(event.submission_id)  # the record key


async def test_an_agency_without_an_encryption_key_is_never_sent_an_application_in_clear() -> None:
    publisher = FakePublisher()
    event = verified("51147", "Köln")
    await route_submission(event, router(without_keys=("koeln-gewerbe",)), publisher)
    assert publisher.topics() == [topics.SUBMISSION_UNROUTABLE]
    unroutable = publisher.published[0][1]
    assert isinstance(unroutable, SubmissionUnroutable)
    assert (unroutable.reason, unroutable.municipality_key) == ("agency_cannot_receive", "05315000")
    assert unroutable.event_id == derive_event_id(event.event_id, Step.UNROUTABLE)
