"""Intake's ratings against the real document store (FerretDB locally and in CI): one per submission, the second
insert a duplicate key even when both race; the rating's event kept until the relay marks it sent; and a rating
whose publishing failed is still kept and published by the relay once the broker takes it."""

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

import pytest
from pymongo.asynchronous.database import AsyncDatabase

from civicflow.intake.adapters.mongo_ratings import MongoRatings
from civicflow.intake.domain.outbox import OutgoingEvent
from civicflow.intake.domain.rating import Rating, rated_event
from civicflow.intake.relay import OutboxRelay
from civicflow.shared import topics
from civicflow.shared.events.experience import ServiceRated

pytestmark = pytest.mark.integration

START = datetime(2026, 11, 27, 9, tzinfo=UTC)
SERVICE = "99050012104000"


def rating(score: int = 4, comment: str | None = "Schnell & freundlich.\nDanke!", at: datetime = START) -> Rating:
    return Rating(score, comment, SERVICE, "accepted", "de", at)


def outgoing(submission_id: UUID, kept: Rating) -> OutgoingEvent:
    event = rated_event(kept)
    return OutgoingEvent(submission_id, topics.SERVICE_RATED, SERVICE, event.model_dump_json().encode())


class Broker:
    """A publisher that refuses while `down`, then records what it took."""

    def __init__(self) -> None:
        self.down = True
        self.attempts = 0
        self.taken: list[tuple[str, bytes, str]] = []

    async def publish_record(self, topic: str, value: bytes, key: str, headers: dict[str, str]) -> None:
        self.attempts += 1
        if self.down:
            raise ConnectionError("kafka unavailable")
        self.taken.append((topic, value, key))


async def test_a_submission_is_rated_once_even_when_two_ratings_race(database: AsyncDatabase[dict[str, Any]]) -> None:
    ratings = MongoRatings(database)
    await ratings.prepare()
    submission_id = uuid4()
    first, second = rating(4), rating(1, None, START + timedelta(seconds=1))
    stored = await asyncio.gather(
        ratings.add(submission_id, first, outgoing(submission_id, first)),
        ratings.add(submission_id, second, outgoing(submission_id, second)),
    )
    assert sorted(stored) == [False, True]
    kept = await ratings.get(submission_id)
    assert kept in (first, second)
    assert not await ratings.add(submission_id, rating(5), outgoing(submission_id, rating(5)))
    assert await ratings.get(submission_id) == kept
    assert await ratings.get(uuid4()) is None
    assert await database["ratings"].count_documents({}) == 1


async def test_the_rating_keeps_score_comment_service_and_time(database: AsyncDatabase[dict[str, Any]]) -> None:
    ratings = MongoRatings(database)
    submission_id, kept = uuid4(), rating(comment="Ärger mit <b>Formularen</b> & Co.")
    assert await ratings.add(submission_id, kept, outgoing(submission_id, kept))
    assert await ratings.get(submission_id) == kept
    document = await database["ratings"].find_one({"_id": str(submission_id)})
    assert document is not None
    assert (document["score"], document["comment"], document["service_id"], document["at"]) == (
        4,
        "Ärger mit <b>Formularen</b> & Co.",
        SERVICE,
        START,
    )


async def test_the_event_is_held_until_sent_and_the_comment_is_not_in_it(
    database: AsyncDatabase[dict[str, Any]],
) -> None:
    ratings = MongoRatings(database)
    await ratings.prepare()
    old_id, new_id = uuid4(), uuid4()
    old, new = rating(at=START), rating(2, None, START + timedelta(minutes=5))
    old_event = outgoing(old_id, old)
    await ratings.add(new_id, new, outgoing(new_id, new))
    await ratings.add(old_id, old, old_event)
    pending = await ratings.pending(10, older_than=START + timedelta(minutes=10))
    assert [item.submission_id for item in pending] == [old_id, new_id]  # oldest first
    assert pending[0] == old_event  # the bytes, as stored: a retry publishes the same event id
    assert b"Formular" not in pending[0].value and str(old_id).encode() not in pending[0].value
    await ratings.mark_sent([old_id])
    await ratings.mark_undeliverable(new_id, "MessageSizeTooLargeError")
    assert await ratings.pending(10, older_than=START + timedelta(days=1)) == []
    assert await ratings.get(old_id) == old and await ratings.get(new_id) == new


async def test_a_rating_kept_while_kafka_is_down_is_published_once_it_is_back(
    database: AsyncDatabase[dict[str, Any]],
) -> None:
    ratings, broker = MongoRatings(database), Broker()
    # BSON keeps milliseconds.
    submission_id, kept = uuid4(), rating(at=datetime.now(UTC).replace(microsecond=0) - timedelta(seconds=1))
    event = outgoing(submission_id, kept)
    assert await ratings.add(submission_id, kept, event)
    # A relay that never got the handoff (intake restarted): it finds the rating's event in the store.
    relay = OutboxRelay(ratings, broker)
    running = asyncio.create_task(relay.run())
    try:
        async with asyncio.timeout(20):
            while broker.attempts < 2:  # the relay tried, failed, and tried again
                await asyncio.sleep(0.05)
        assert broker.taken == [] and await ratings.get(submission_id) == kept
        broker.down = False
        async with asyncio.timeout(20):
            while not broker.taken or await ratings.pending(10, datetime.now(UTC)):
                await asyncio.sleep(0.1)
    finally:
        running.cancel()
    ((topic, value, key),) = broker.taken
    assert (topic, key) == (topics.SERVICE_RATED, SERVICE)
    assert ServiceRated.model_validate_json(value) == ServiceRated.model_validate_json(event.value)


async def test_staff_read_a_services_comments_of_a_period_newest_first(database: AsyncDatabase[dict[str, Any]]) -> None:
    ratings = MongoRatings(database)
    await ratings.prepare()
    other = Rating(2, "Anderer Dienst", "99108001001000", "rejected", "en", START)
    kept = [
        rating(5, "Am ersten Tag", START),
        rating(3, None, START + timedelta(hours=1)),  # no comment: not listed
        rating(2, "Am zweiten Tag", START + timedelta(days=1)),
        rating(4, "Zu spät", START + timedelta(days=3)),
        other,
    ]
    for each in kept:
        submission_id = uuid4()
        assert await ratings.add(submission_id, each, outgoing(submission_id, each))
    found = await ratings.commented(SERVICE, START, START + timedelta(days=2), limit=10)
    assert [(each.score, each.comment) for each in found] == [(2, "Am zweiten Tag"), (5, "Am ersten Tag")]
    assert await ratings.commented(SERVICE, START, START + timedelta(days=2), limit=1) == found[:1]
