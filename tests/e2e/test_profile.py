"""The once-only profile end to end, on the real stack: an application filed with consent leaves a profile that
identity keeps and intake shows to the signed-in citizen; it prefills the next form, its contact preferences
change through identity, and its erasure is carried out by every service that keeps something of the citizen:
a later lookup finds nothing, while the application's status link still answers."""

from datetime import date
from typing import Any

import httpx
import pytest
from pymongo import AsyncMongoClient

from civicflow.identity.config import DEFAULT_DATABASE as IDENTITY_DATABASE
from civicflow.intake.config import DEFAULT_DATABASE as INTAKE_DATABASE
from civicflow.local.idp import SigningKey, subject_of
from civicflow.local.layout import Layout
from civicflow.local.sample import ERIKA, application
from civicflow.shared.security.keys import KeyName, Keyring
from civicflow.shared.security.pseudonyms import citizen_id
from tests.support.journeys import eventually, post, status_of, until_settled
from tests.support.sign_in import sign_in

pytestmark = pytest.mark.e2e

BUSINESS = "99050012104000"
# A person of this test's own: the stack is shared, and other tests file as Erika.
HANNE = ERIKA | {
    "given_name": "Hanne",
    "family_name": "Erasmus",
    "birth_date": "1980-02-29",
    "email": "hanne.erasmus@example.org",
}


async def test_a_profile_is_kept_with_consent_shown_changed_and_erased_everywhere(stack: Layout) -> None:
    provider = SigningKey.load_or_create(stack.idp_state_dir)
    mongo: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(stack.mongo_uri)
    async with httpx.AsyncClient(base_url=stack.intake_url, timeout=10.0) as client:
        without = await post(client, application(provider, stack.idp_issuer, HANNE), "routed")
        consented = await post(
            client, application(provider, stack.idp_issuer, HANNE) | {"keep_profile": True}, "routed"
        )
        for each in (without, consented):
            assert (await until_settled(client, each))["status"] == "routed"

        assert (await client.get("/v1/profile")).status_code == 401  # not signed in: nothing to see
        await sign_in(client, {"service_id": BUSINESS}, person=HANNE)
        profile = await eventually(lambda: client.get("/v1/profile"), lambda answer: answer.status_code == 200)
        values = {value["name"]: value for value in profile.json()["values"]}
        assert values["applicant.family_name"]["value"] == HANNE["family_name"]
        assert values["applicant.family_name"]["verified"] is True
        assert values["applicant.address.postal_code"]["verified"] is False
        assert values["applicant.address.postal_code"]["source"] == "application"
        assert "identity_token" not in profile.text

        prefill = (await client.get("/v1/prefill", params={"service_id": BUSINESS})).json()
        assert {value["name"] for value in prefill} >= {"applicant.given_name", "applicant.email"}
        assert (await client.get("/v1/prefill", params={"service_id": "99000000000000"})).status_code == 404

        mine = (await client.get("/v1/profile/submissions")).json()
        assert {each["submission_id"] for each in mine} == {without.submission_id, consented.submission_id}
        assert {each["status"] for each in mine} == {"routed"}

        changed = {"email": "erika.neu@example.org", "language": "en", "channel": "email"}
        assert (await client.put("/v1/profile/contact", json=changed)).status_code == 202
        await eventually(
            lambda: client.get("/v1/profile"),
            lambda answer: any(value["value"] == "erika.neu@example.org" for value in answer.json()["values"]),
        )
        foreign = await client.delete("/v1/profile", headers={"Origin": "https://evil.example"})
        assert foreign.status_code == 403  # another site cannot erase it for the citizen

        assert (await client.delete("/v1/profile")).status_code == 204
        assert (await client.get("/v1/profile")).status_code in {401, 404}
    # identity's id of Hanne, as identity and intake compute it
    key = Keyring.parse(KeyName.PSEUDONYM, stack.secrets.field_key(KeyName.PSEUDONYM.value)).current
    subject = subject_of(HANNE["given_name"], HANNE["family_name"], date.fromisoformat(HANNE["birth_date"]))
    person = citizen_id(key, stack.idp_issuer, subject)
    try:
        await eventually(
            lambda: mongo[IDENTITY_DATABASE]["profiles"].find_one({"_id": person}), lambda found: found is None
        )
        for each in (without, consented):  # anonymised: no applicant, no answers; the status link answers
            record = await mongo[INTAKE_DATABASE]["submissions"].find_one({"_id": each.submission_id})
            assert record is not None and not record.get("applicant") and not record.get("form")
            async with httpx.AsyncClient(base_url=stack.intake_url, timeout=10.0) as client:
                assert (await status_of(client, each))["status"] == "routed"
        assert await mongo[INTAKE_DATABASE]["profiles"].find_one({"_id": person}) is None
        assert await mongo[INTAKE_DATABASE]["citizen_submissions"].find_one({"citizen_id": person}) is None
    finally:
        await mongo.close()
