"""Intake's retention in the real document store (FerretDB over PostgreSQL): the closings noted, and the sweep
forgetting the details and files of the applications closed before the retention, and the rating comments past
theirs, while everything else stays."""

from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

import pytest
from pymongo.asynchronous.database import AsyncDatabase

from civicflow.intake.adapters.mongo_attachments import BUCKET, MongoAttachments
from civicflow.intake.adapters.mongo_ratings import MongoRatings
from civicflow.intake.adapters.mongo_submissions import MongoSubmissions
from civicflow.intake.config import IntakeRetention
from civicflow.intake.domain.attachments import CheckedUpload, check_upload
from civicflow.intake.domain.catalogue import Catalogue
from civicflow.intake.domain.outbox import OutgoingEvent
from civicflow.intake.domain.rating import Rating
from civicflow.intake.domain.retention import Closing
from civicflow.intake.domain.submission import TimelineEntry, hash_status_token
from civicflow.intake.retention import Forgotten, Retention
from civicflow.shared import topics
from civicflow.shared.events import Step
from tests.support.sample_files import pdf
from tests.support.stored_submissions import SERVICE, STATUS_TOKEN, stored_submission

pytestmark = pytest.mark.integration

Database = AsyncDatabase[dict[str, Any]]
NOW = datetime.now(UTC).replace(microsecond=0)
SETTINGS = IntakeRetention(retention_days=30, comment_retention_days=365)
COMMENT = "Frau Mustermann aus Köln dankt."
LETTER = "Sehr geehrte Frau Mustermann, Ihre Gewerbeanmeldung ist bestätigt."


def letters(submission_id: UUID) -> list[TimelineEntry]:
    """The agency's decision with its words, and the citizen's answer with theirs."""
    decided = {"agency_id": "koeln-gewerbe", "outcome": "accepted", "reason": LETTER}
    answered = {"request_id": "r1", "answer": "Meine Steuernummer ist 12/345/67890."}
    return [
        TimelineEntry(event_id=uuid4(), submission_id=submission_id, step=Step.DECIDED, at=NOW, detail=decided),
        TimelineEntry(
            event_id=uuid4(), submission_id=submission_id, step=Step.INFORMATION_PROVIDED, at=NOW, detail=answered
        ),
    ]


def upload(name: str) -> CheckedUpload:
    checked = check_upload(Catalogue.bundled().services[SERVICE].attachments, name, None, pdf(100))
    assert isinstance(checked, CheckedUpload)
    return checked


async def test_a_closing_is_noted_once_and_found_once_it_is_older_than_asked(database: Database) -> None:
    submissions = MongoSubmissions(database)
    first, later = await stored_submission(submissions, NOW), await stored_submission(submissions, NOW)
    await submissions.note_closed([Closing(first, NOW - timedelta(days=40)), Closing(later, NOW - timedelta(days=2))])
    await submissions.note_closed([Closing(first, NOW)])  # a redelivery, or a second closing: the first counts
    await submissions.note_closed([])
    assert await submissions.closed_before(NOW - timedelta(days=30), 10) == [first]
    assert sorted(await submissions.closed_before(NOW, 10)) == sorted([first, later])
    assert len(await submissions.closed_before(NOW, 1)) == 1


async def test_the_sweep_forgets_what_is_past_its_retention_and_nothing_else(database: Database) -> None:
    submissions, attachments, ratings = MongoSubmissions(database), MongoAttachments(database), MongoRatings(database)
    await attachments.prepare()
    past, recent, still_open = [await stored_submission(submissions, NOW - timedelta(days=60)) for _ in range(3)]
    files: dict[UUID, list[UUID]] = {}
    for each in (past, still_open):
        refs = [await attachments.put(SERVICE, upload(f"Nachweis {n}.pdf")) for n in range(2)]
        await attachments.bind([ref.attachment_id for ref in refs], each)
        files[each] = [ref.attachment_id for ref in refs]
    await submissions.note_closed([Closing(past, NOW - timedelta(days=31)), Closing(recent, NOW - timedelta(days=29))])
    for each in (past, recent):
        await submissions.record_steps(letters(each))
    for each, rated_at in ((past, NOW - timedelta(days=366)), (recent, NOW - timedelta(days=29))):
        rating = Rating(4, COMMENT, SERVICE, "accepted", "de", rated_at)
        await ratings.add(each, rating, OutgoingEvent(each, topics.SERVICE_RATED, SERVICE, b"{}"))

    retention = Retention(submissions, attachments, ratings, SETTINGS)
    assert await retention.sweep(NOW) == Forgotten(applications=1, files=2, comments=1)

    forgotten = await submissions.get(past)
    assert forgotten is not None and (forgotten.applicant, forgotten.form) == ({}, {})
    assert forgotten.timeline and forgotten.status_token_hash == hash_status_token(STATUS_TOKEN)  # the link answers
    raw = await database["submissions"].find_one({"_id": str(past)})
    assert raw is not None and "Mustermann" not in str(raw) and "outbox" not in raw
    steps = {entry.step: entry.detail for entry in forgotten.timeline}  # the steps stay, their letters go
    assert steps[Step.DECIDED] == {"agency_id": "koeln-gewerbe", "outcome": "accepted"}
    assert steps[Step.INFORMATION_PROVIDED] == {"request_id": "r1"}
    assert (await database["timeline"].count_documents({"submission_id": str(past)})) == 2  # received: with the record
    assert [await attachments.open(each) for each in files[past]] == [None, None]
    assert await database[f"{BUCKET}.chunks"].count_documents({"files_id": {"$in": [str(f) for f in files[past]]}}) == 0
    assert await database["attachment_bindings"].count_documents({"submission_id": str(past)}) == 0
    past_rating, recent_rating = await ratings.get(past), await ratings.get(recent)
    assert past_rating is not None and (past_rating.score, past_rating.comment) == (4, None)

    for kept in (recent, still_open):
        record = await submissions.get(kept)
        assert record is not None and record.applicant["family_name"] == "Mustermann"
    recent_record = await submissions.get(recent)
    assert recent_record is not None
    assert {entry.step: entry.detail for entry in recent_record.timeline}[Step.DECIDED]["reason"] == LETTER
    assert all([await attachments.open(each) is not None for each in files[still_open]])
    assert recent_rating is not None and recent_rating.comment == COMMENT
    assert await submissions.closed_before(NOW, 10) == [recent]  # still within the retention

    assert await retention.sweep(NOW) == Forgotten(applications=0, files=0, comments=0)
