"""A registry change at run time reroutes the next application without a restart, on the real stack: a version in
which a new agency, with a key of its own, handles the business registration for Köln is published; the next
application from Köln reaches that agency's topic, encrypted to its key, and routing ran throughout; the agency is
not retired while that application is in flight. The version the stack started with is published again afterwards."""

import json
import os
import time

import httpx
import pytest
from aiokafka import AIOKafkaConsumer, ConsumerRecord
from civicflow_agency import wire
from joserfc.jwk import RSAKey

from civicflow.local.agencies import publish_registry
from civicflow.local.idp import SigningKey
from civicflow.local.registry_change import RegistryChange, RegistryRefused
from civicflow.local.sample import ERIKA, application
from civicflow.local.stack import Stack
from civicflow.local.tail import open_tail
from civicflow.routing.domain.registry import AgencyRegistry
from civicflow.shared import topics
from tests.support.journeys import post, until_settled
from tests.support.registry import deliveries, document, published, until_routing_applied

pytestmark = pytest.mark.e2e

BUSINESS = "99050012104000"
KOELN, KOELN_DISTRICT = "05315000", "05315"
NEW = "koeln-gewerbe-neu"
# Names nobody else in the tests uses, so that a match can only come from this application.
THEODORA = ERIKA | {
    "given_name": "Theodora",
    "family_name": "Zaunkönig",
    "birth_date": "1979-05-03",
    "email": "theodora.zaunkoenig@example.org",
    "address": {"street": "Amselgasse 4", "postal_code": "51147", "city": "Köln"},
}


def handed_over(original: AgencyRegistry, key: RSAKey) -> str:
    """`original`, where NEW handles the business registration in the city of Köln: koeln-gewerbe keeps it for the
    district only (the municipality's 8-digit key wins over the district's 5)."""
    registry = document(original)
    for agency in registry["agencies"]:
        if agency["agency_id"] == "koeln-gewerbe":
            assert agency["jurisdiction"] == [KOELN]
            agency["jurisdiction"] = [KOELN_DISTRICT]
    new = {"agency_id": NEW, "name": "Stadt Köln, Gewerbe (neu)", "services": [BUSINESS], "jurisdiction": [KOELN]}
    registry["agencies"].append(new | {"public_keys": [key.as_dict(private=False)]})
    return json.dumps(registry)


async def record_of(consumer: AIOKafkaConsumer, submission_id: str) -> ConsumerRecord[bytes, bytes]:
    deadline = time.monotonic() + 60
    while True:
        assert time.monotonic() < deadline, "the application did not reach the new agency"
        for batch in (await consumer.getmany(timeout_ms=500)).values():
            for record in batch:
                if record.key == submission_id.encode():
                    return record


async def test_a_registry_change_at_run_time_reroutes_the_next_application_without_a_restart(
    running_stack: Stack,
) -> None:
    layout = running_stack.layout
    routing = int((layout.var_dir / "run" / "routing.pid").read_text())
    original = await published(layout)
    key = wire.new_key()
    try:
        result = await publish_registry(layout, handed_over(original, key))
        assert result.change == RegistryChange(added=(NEW,), changed=("koeln-gewerbe",))
        await until_routing_applied(layout, result.offset)

        provider = SigningKey.load_or_create(layout.idp_state_dir)
        consumer = await open_tail(layout.kafka_admin, topics.agency_submissions(NEW))
        try:
            async with httpx.AsyncClient(base_url=layout.intake_url, timeout=10.0) as client:
                posted = await post(client, application(provider, layout.idp_issuer, THEODORA), "routed")
                assert (await until_settled(client, posted))["status"] == "routed"
            record = await record_of(consumer, posted.submission_id)
        finally:
            await consumer.stop()
        opened = json.loads(wire.decrypt(record.value, [key]))
        assert opened["submission_id"] == posted.submission_id and opened["agency_id"] == NEW
        assert opened["applicant"]["family_name"] == "Zaunkönig"
        os.kill(routing, 0)  # the same routing process, never restarted
        assert int((layout.var_dir / "run" / "routing.pid").read_text()) == routing
        # Until it has answered, the new agency is not retired: the version without it is refused.
        with pytest.raises(RegistryRefused, match=f"{NEW} has 1 in flight"):
            await publish_registry(layout, json.dumps(document(original)))
    finally:
        # As the new agency's decision would: its application is no longer in flight, so it may be retired.
        store, collection = deliveries(layout)
        await collection.update_many({"agency_id": NEW}, {"$set": {"open": False}})
        await store.close()
        restored = await publish_registry(layout, json.dumps(document(original)))
        await until_routing_applied(layout, restored.offset)
