"""End-to-end encryption to the agency, on the real stack: an application routed to koeln-gewerbe is a JWE that
koeln-standesamt's key does not open and koeln-gewerbe's does (civicflow_agency.wire, as the agency kit reads
it); the raw Kafka record, key, headers and value, holds none of the applicant's data in clear, and its clear
headers carry the routing metadata and the trace context."""

import base64
import json
import time
from datetime import datetime

import httpx
import pytest
from aiokafka import AIOKafkaConsumer, ConsumerRecord
from civicflow_agency import wire

from civicflow.local.idp import SigningKey
from civicflow.local.layout import Layout
from civicflow.local.sample import ERIKA, application
from civicflow.local.tail import open_tail
from civicflow.shared import topics
from tests.support.agencies import agency_keys, open_record
from tests.support.journeys import post, until_settled

pytestmark = pytest.mark.e2e

GEWERBE = topics.agency_submissions("koeln-gewerbe")
# Names nobody else in the tests uses, so that a match can only come from this application.
WILHELMINE = ERIKA | {
    "given_name": "Wilhelmine",
    "family_name": "Sturmvogel",
    "birth_date": "1983-02-27",
    "email": "wilhelmine.sturmvogel@example.org",
    "address": {"street": "Brombeerweg 23", "postal_code": "51147", "city": "Köln"},
}


async def record_of(consumer: AIOKafkaConsumer, submission_id: str) -> ConsumerRecord[bytes, bytes]:
    deadline = time.monotonic() + 60
    while True:
        assert time.monotonic() < deadline, "the application did not reach its agency"
        for batch in (await consumer.getmany(timeout_ms=500)).values():
            for record in batch:
                if record.key == submission_id.encode():
                    return record


async def test_only_the_responsible_agency_opens_the_application_and_nothing_personal_is_in_clear(
    stack: Layout,
) -> None:
    provider = SigningKey.load_or_create(stack.idp_state_dir)
    body = application(provider, stack.idp_issuer, WILHELMINE)
    consumer = await open_tail(stack.kafka_admin, GEWERBE)
    try:
        async with httpx.AsyncClient(base_url=stack.intake_url, timeout=10.0) as client:
            posted = await post(client, body, "routed")
            assert (await until_settled(client, posted))["status"] == "routed"
        record = await record_of(consumer, posted.submission_id)
    finally:
        await consumer.stop()

    # another agency's key does not open it: not even koeln-standesamt, in the same city hall
    with pytest.raises(wire.NotForThisAgency):
        wire.decrypt(record.value, agency_keys(stack, "koeln-standesamt"))
    # the responsible agency's does, and finds the application it is responsible for
    opened = open_record(record.value, stack, "koeln-gewerbe")
    assert opened["submission_id"] == posted.submission_id and opened["agency_id"] == "koeln-gewerbe"
    assert opened["applicant"]["given_name"] == "Wilhelmine" and opened["applicant"]["family_name"] == "Sturmvogel"
    assert opened["applicant"]["address"]["street"] == "Brombeerweg 23"

    # a JWE in compact serialization, to koeln-gewerbe's key, with RSA-OAEP-256 and A256GCM
    protected = json.loads(base64.urlsafe_b64decode(record.value.split(b".")[0] + b"=="))
    [key] = agency_keys(stack, "koeln-gewerbe")
    assert protected["alg"] == "RSA-OAEP-256" and protected["enc"] == "A256GCM" and protected["kid"] == key.kid

    # the raw record: nothing of the applicant in clear, anywhere in it
    headers = {name: value.decode() for name, value in record.headers}
    raw = record.key + record.value + b"".join(name.encode() + value for name, value in record.headers)
    personal = (
        "Wilhelmine",
        "Sturmvogel",
        "1983-02-27",
        "Brombeerweg",
        "wilhelmine.sturmvogel",
        body["identity_token"],
    )
    assert [item for item in personal if item.encode() in raw] == []
    # the clear headers: routing metadata and the trace context, nothing more
    assert headers[wire.HEADER_SUBMISSION_ID] == posted.submission_id
    assert headers[wire.HEADER_SERVICE_ID] == body["service_id"]
    assert headers[wire.HEADER_AGENCY_ID] == "koeln-gewerbe"
    assert headers[wire.HEADER_CONTENT_TYPE] == wire.MEDIA_TYPE
    received, sent = (datetime.fromisoformat(headers[name]) for name in (wire.HEADER_RECEIVED_AT, wire.HEADER_SENT_AT))
    assert received <= sent
    assert headers["traceparent"].startswith("00-")
