"""The citizen's rating on the real stack: an application is filed and routed, the agency accepts it with the agency
kit, and the citizen rates it on the page behind the status token. A link with `score=5` (as a mail scanner would
fetch it) records nothing; one click on "4" with a comment does: ServiceRated reaches the public topic, readable by
the operator, keyed by the service, without the comment, the submission id or the token, while the comment stays in
intake's store. A second rating is refused and publishes nothing (a later rating of another application is the
marker on the same partition); a wrong token is the not-found page."""

import json
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from aiokafka import AIOKafkaConsumer
from pymongo import AsyncMongoClient

from civicflow.local.idp import SigningKey
from civicflow.local.layout import Layout
from civicflow.local.sample import ERIKA, application
from civicflow.local.tail import open_tail
from civicflow.shared import topics
from civicflow.shared.events.base import FROM_KAFKA
from civicflow.shared.events.experience import ServiceRated
from tests.support.deciding import decide
from tests.support.html import hidden
from tests.support.journeys import Posted, eventually, post, status_of

pytestmark = pytest.mark.e2e

AGENCY = "koeln-gewerbe"
SERVICE = "99050012104000"  # the sample application's: a business registration in Köln
# Names nobody else in the tests uses.
WILHELMINE = ERIKA | {
    "given_name": "Wilhelmine",
    "family_name": "Sperlingsgasse",
    "birth_date": "1971-03-09",
    "email": "wilhelmine.sperlingsgasse@example.org",
    "address": {"street": "Amselweg 12", "postal_code": "51147", "city": "Köln"},
}
KUNIBERT = WILHELMINE | {
    "given_name": "Kunibert",
    "family_name": "Rotkehlchen",
    "birth_date": "1958-12-01",
    "email": "kunibert.rotkehlchen@example.org",
}
COMMENT = "Schnell erledigt. Das Formular war verständlich & klar."


async def decided(client: httpx.AsyncClient, stack: Layout, tmp_path: Path, person: dict[str, Any]) -> Posted:
    """An application of `person`, routed and accepted by the agency."""
    provider = SigningKey.load_or_create(stack.idp_state_dir)
    posted = await post(client, application(provider, stack.idp_issuer, person), "routed")
    # Routed: delivered to the agency, which may decide on it (notify's messages are no concern here).
    await eventually(lambda: status_of(client, posted), lambda status: status["status"] == "routed")
    await decide(stack, tmp_path, AGENCY, posted.submission_id, "accept", "Ihre Gewerbeanmeldung ist eingetragen.")
    await eventually(lambda: status_of(client, posted), lambda status: status["status"] == "decided")
    return posted


def rating_page(posted: Posted, token: str | None = None) -> str:
    return f"/status/{posted.submission_id}/rating?token={token or posted.token}&lang=de"


async def rate(client: httpx.AsyncClient, posted: Posted, page: httpx.Response, **fields: str) -> httpx.Response:
    form = {"csrf": hidden(page.text, "csrf"), "token": posted.token} | fields
    return await client.post(f"/status/{posted.submission_id}/rating?lang=de", data=form)


async def ratings_until(consumer: AIOKafkaConsumer, marker: dict[str, Any]) -> list[dict[str, Any]]:
    """Every rating on the topic up to and including one that matches `marker` (the same partition: in order)."""
    found: list[dict[str, Any]] = []
    deadline = time.monotonic() + 60
    while True:
        assert time.monotonic() < deadline, f"no rating like {marker} arrived; saw {found}"
        for records in (await consumer.getmany(timeout_ms=500)).values():
            for record in records:
                assert record.key == SERVICE.encode()  # keyed by the service, never the submission
                text = (record.value or b"").decode()
                body: dict[str, Any] = json.loads(text)
                found.append(body | {"_raw": text})
                if body == body | marker:
                    return found


async def test_a_decided_application_is_rated_once_and_the_rating_is_published_without_the_comment(
    stack: Layout, tmp_path: Path
) -> None:
    consumer = await open_tail(stack.kafka_operator, topics.SERVICE_RATED)  # the operator may read it
    try:
        async with httpx.AsyncClient(base_url=stack.intake_url, timeout=30.0, follow_redirects=False) as client:
            posted = await decided(client, stack, tmp_path, WILHELMINE)

            wrong = await client.get(rating_page(posted, token="not-the-token"))
            assert wrong.status_code == 404 and 'name="score"' not in wrong.text

            # A link with a score, as the closing message's buttons and every mail scanner open it: nothing counts.
            scanned = await client.get(rating_page(posted) + "&score=5")
            assert scanned.status_code == 200 and scanned.headers["cache-control"] == "no-store"
            assert 'value="5" id="score-5" class="button">' in scanned.text  # preselected only
            again = await client.get(rating_page(posted) + "&score=5")
            assert 'name="score"' in again.text  # still the form: nothing was recorded

            clicked = await rate(client, posted, scanned, score="4", comment=COMMENT)
            assert clicked.status_code == 303, clicked.text
            thanked = await client.get(clicked.headers["location"])
            assert "Vielen Dank für Ihre Bewertung!" in thanked.text and "4 \u2013 zufrieden" in thanked.text

            second = await rate(client, posted, scanned, score="1")
            assert second.status_code == 409 and "bereits bewertet" in second.text
            forged = await client.post(
                f"/status/{posted.submission_id}/rating?lang=de",
                data={"csrf": hidden(scanned.text, "csrf"), "token": "not-the-token", "score": "1"},
            )
            assert forged.status_code == 404

            # The marker: another application, rated 2 without a comment, after everything above.
            other = await decided(client, stack, tmp_path, KUNIBERT)
            other_page = await client.get(rating_page(other))
            assert (await rate(client, other, other_page, score="2")).status_code == 303
        seen = await ratings_until(consumer, {"score": 2, "commented": False, "service_id": SERVICE})
    finally:
        await consumer.stop()

    ours = [body for body in seen if body["score"] in (4, 5, 1)]
    assert [body["score"] for body in ours] == [4]  # not the scanner's 5, not the second rating's 1
    (rated,) = ours
    raw = rated.pop("_raw")
    assert set(rated) == set(ServiceRated.model_fields)
    event = ServiceRated.model_validate(rated, context=FROM_KAFKA)
    assert (event.service_id, event.score, event.language, event.commented, event.outcome) == (
        SERVICE,
        4,
        "de",
        True,
        "accepted",
    )
    for secret in (posted.submission_id, posted.token, "Schnell erledigt", "Formular", "Wilhelmine"):
        assert secret not in raw

    # The comment stays in intake's store, with the rating, by the submission.
    store: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(stack.mongo_uri, tz_aware=True)
    try:
        kept = await store["civicflow_intake"]["ratings"].find_one({"_id": posted.submission_id})
    finally:
        await store.close()
    assert kept is not None and (kept["score"], kept["comment"], kept["service_id"]) == (4, COMMENT, SERVICE)
    assert "outbox" not in kept  # published and marked sent
    # Staff read it there, with the operators' token, without the submission it came with.
    async with httpx.AsyncClient(base_url=stack.intake_url, timeout=10.0) as client:
        path = f"/v1/ratings/{SERVICE}/comments"
        assert (await client.get(path)).status_code == 401
        staff = await client.get(path, headers={"Authorization": f"Bearer {stack.secrets.operator_token()}"})
    assert staff.status_code == 200
    assert any(item["comment"] == COMMENT and item["score"] == 4 for item in staff.json())
    assert posted.submission_id not in staff.text
