"""Intake's copies of the profiles, and the anonymising of a citizen's submissions, in the real document store
(FerretDB over PostgreSQL): every store pattern they use, each by _id or by one indexed equality."""

from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import uuid4

import pytest
from pymongo.asynchronous.database import AsyncDatabase

from civicflow.intake.adapters.mongo_profiles import MongoProfileCopies
from civicflow.intake.adapters.mongo_ratings import MongoRatings
from civicflow.intake.adapters.mongo_submissions import MongoSubmissions
from civicflow.intake.domain.outbox import OutgoingEvent
from civicflow.intake.domain.rating import Rating
from civicflow.intake.domain.submission import TimelineEntry, hash_status_token
from civicflow.intake.profiles import SubmissionLink
from civicflow.shared import topics
from civicflow.shared.events import Step
from tests.support.profiles import CITIZEN_ID, OTHER_CITIZEN_ID, erika_profile
from tests.support.sealing import sealer_with_every_key
from tests.support.stored_submissions import stored_submission

pytestmark = pytest.mark.integration

Database = AsyncDatabase[dict[str, Any]]
NOW = datetime.now(UTC).replace(microsecond=0)  # as the store keeps it: to the millisecond


async def test_a_profile_is_kept_sealed_and_only_a_newer_version_replaces_it(database: Database) -> None:
    copies = MongoProfileCopies(database, sealer_with_every_key())
    assert await copies.get(CITIZEN_ID) is None
    await copies.save(CITIZEN_ID, erika_profile("old@example.org"), NOW - timedelta(hours=1))
    await copies.save(CITIZEN_ID, erika_profile("new@example.org"), NOW)
    await copies.save(CITIZEN_ID, erika_profile("old@example.org"), NOW - timedelta(hours=1))  # arriving late
    await copies.save(CITIZEN_ID, erika_profile("new@example.org"), NOW)  # again, as a redelivery would
    kept = await copies.get(CITIZEN_ID)
    assert kept == erika_profile("new@example.org")
    raw = await database["profiles"].find_one({"_id": CITIZEN_ID})
    assert raw is not None and "new@example.org" not in str(raw) and "Mustermann" not in str(raw)
    assert await database["profiles"].count_documents({}) == 1


async def test_a_profile_sealed_for_one_citizen_does_not_open_for_another(database: Database) -> None:
    copies = MongoProfileCopies(database, sealer_with_every_key())
    await copies.save(CITIZEN_ID, erika_profile(), NOW)
    raw = await database["profiles"].find_one({"_id": CITIZEN_ID})
    assert raw is not None
    await database["profiles"].insert_one({**raw, "_id": OTHER_CITIZEN_ID})
    with pytest.raises(ValueError, match="does not open"):
        await copies.get(OTHER_CITIZEN_ID)


async def test_submissions_are_linked_once_and_listed_newest_first(database: Database) -> None:
    copies = MongoProfileCopies(database, sealer_with_every_key())
    older, newer, others = uuid4(), uuid4(), uuid4()
    links = [
        SubmissionLink(CITIZEN_ID, older, NOW - timedelta(days=2)),
        SubmissionLink(CITIZEN_ID, newer, NOW),
        SubmissionLink(OTHER_CITIZEN_ID, others, NOW),
    ]
    assert await copies.link(links) == []
    assert await copies.link(links[:2]) == []  # a redelivered batch: duplicate keys, nothing changes
    assert await copies.submissions_of(CITIZEN_ID) == [newer, older]
    assert await copies.submissions_of(OTHER_CITIZEN_ID) == [others]
    assert await database["citizen_submissions"].count_documents({}) == 3
    indexes = [index["key"] async for index in await database["citizen_submissions"].list_indexes()]
    assert {"citizen_id": 1} in [dict(key) for key in indexes]


async def test_an_erasure_drops_the_copy_and_the_links_and_refuses_older_versions(database: Database) -> None:
    copies = MongoProfileCopies(database, sealer_with_every_key())
    own, others = uuid4(), uuid4()
    await copies.save(CITIZEN_ID, erika_profile(), NOW - timedelta(minutes=5))
    await copies.save(OTHER_CITIZEN_ID, erika_profile(), NOW - timedelta(minutes=5))
    await copies.link([SubmissionLink(CITIZEN_ID, own, NOW), SubmissionLink(OTHER_CITIZEN_ID, others, NOW)])

    assert await copies.erase(CITIZEN_ID, NOW) == [own]

    assert await copies.get(CITIZEN_ID) is None and await copies.submissions_of(CITIZEN_ID) == []
    assert await copies.get(OTHER_CITIZEN_ID) is not None and await copies.submissions_of(OTHER_CITIZEN_ID) == [others]
    await copies.save(CITIZEN_ID, erika_profile(), NOW - timedelta(seconds=1))  # published before the erasure
    assert await copies.get(CITIZEN_ID) is None
    await copies.save(CITIZEN_ID, erika_profile(), NOW + timedelta(seconds=1))  # consent given again, later
    assert await copies.get(CITIZEN_ID) is not None
    assert await copies.erase(CITIZEN_ID, NOW + timedelta(seconds=2)) == []  # erasing twice is fine


async def test_a_submission_filed_before_the_erasure_and_linked_after_it_is_not_kept(database: Database) -> None:
    copies = MongoProfileCopies(database, sealer_with_every_key())
    await copies.erase(CITIZEN_ID, NOW)
    before, after = uuid4(), uuid4()
    late = await copies.link(
        [
            SubmissionLink(CITIZEN_ID, before, NOW - timedelta(hours=1)),
            SubmissionLink(CITIZEN_ID, after, NOW + timedelta(hours=1)),
        ]
    )
    assert late == [before]  # to be anonymised, as the erasure would have
    assert await copies.submissions_of(CITIZEN_ID) == [after]


async def test_an_anonymised_submission_keeps_its_timeline_and_status_link_and_nothing_personal(
    database: Database,
) -> None:
    submissions = MongoSubmissions(database)
    anonymised, kept = await stored_submission(submissions, NOW), await stored_submission(submissions, NOW)
    await submissions.record_steps(
        [TimelineEntry(event_id=uuid4(), submission_id=anonymised, step=Step.VERIFIED, at=NOW)]
    )

    ratings = MongoRatings(database)
    for each in (anonymised, kept):
        rated = Rating(4, "Frau Mustermann aus Köln dankt.", "99050012104000", "accepted", "de", NOW)
        await ratings.add(each, rated, OutgoingEvent(each, topics.SERVICE_RATED, "99050012104000", b"{}"))

    await submissions.anonymise([anonymised])
    await submissions.anonymise([anonymised])  # again: nothing left to remove
    forgotten, other_rating = await ratings.get(anonymised), await ratings.get(kept)
    assert forgotten is not None and (forgotten.score, forgotten.comment) == (4, None)  # the comment is gone
    assert other_rating is not None and other_rating.comment == "Frau Mustermann aus Köln dankt."

    record = await submissions.get(anonymised)
    assert record is not None and (record.applicant, record.form) == ({}, {})
    assert record.status == "verified" and record.status_token_hash == hash_status_token("token")
    assert record.service_id == "99050012104000"
    raw = await database["submissions"].find_one({"_id": str(anonymised)})
    assert raw is not None and "Mustermann" not in str(raw) and "outbox" not in raw
    other = await submissions.get(kept)
    assert other is not None and other.applicant["family_name"] == "Mustermann"
    pending = await submissions.pending(10, NOW + timedelta(days=1))
    assert [event.submission_id for event in pending] == [kept]  # the anonymised one is no longer sent again
