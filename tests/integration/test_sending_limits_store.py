"""Notify's sending limits in the real document store (FerretDB over PostgreSQL): every store pattern
adapters.mongo_sending_limits uses. Slots are claimed by unique _id, the one write FerretDB makes atomic: of
concurrent claims exactly the limit win (an `$inc` with upsert would let two count from the same number)."""

import asyncio
import base64
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

import pytest
from pydantic import SecretStr
from pymongo.asynchronous.database import AsyncDatabase

from civicflow.notify.adapters.mongo_sending_limits import BOUNCES, SLOTS, MongoSendingRecord, sending_guard
from civicflow.notify.config import NotifySettings, SendingLimitSettings
from civicflow.notify.domain.flooding import Outgoing, Quota, Suppressed
from civicflow.shared.settings import FieldKeySettings

pytestmark = pytest.mark.integration

Database = AsyncDatabase[dict[str, Any]]
RECIPIENT = "3f" * 32  # an HMAC, as domain.recipients makes them
NOW = datetime.now(UTC).replace(microsecond=0)


def quota(limit: int, name: str = f"recipient:{RECIPIENT}:3600:1", until: datetime = NOW + timedelta(hours=1)) -> Quota:
    return Quota(name, limit, until, Suppressed.RECIPIENT_LIMIT)


async def test_of_twenty_concurrent_claims_for_five_slots_exactly_five_win(database: Database) -> None:
    record = MongoSendingRecord(database)
    claims = [record.claim(quota(5), uuid4()) for _ in range(20)]
    assert sorted(await asyncio.gather(*claims)) == [False] * 15 + [True] * 5
    assert await database[SLOTS].count_documents({}) == 5
    assert not await record.claim(quota(5), uuid4())


async def test_two_instances_share_the_slots_and_a_new_one_finds_the_free_ones(database: Database) -> None:
    first, second = MongoSendingRecord(database), MongoSendingRecord(database)
    claims = [record.claim(quota(6), uuid4()) for record in (first, second) * 10]
    assert sorted(await asyncio.gather(*claims)) == [False] * 14 + [True] * 6
    started = MongoSendingRecord(database)  # an instance started later meets the taken slots as duplicate keys
    assert not await started.claim(quota(6), uuid4())
    assert await started.claim(quota(7), uuid4())  # a larger limit (configuration changed): the next slot
    assert await database[SLOTS].count_documents({}) == 7


async def test_a_message_keeps_its_slot_when_it_comes_again_and_frees_it_when_released(database: Database) -> None:
    record, message, other = MongoSendingRecord(database), uuid4(), uuid4()
    assert await record.claim(quota(1), message)
    assert await record.claim(quota(1), message)  # a retry of the same notification
    assert not await record.claim(quota(1), other)
    assert await record.claim(quota(1, name=f"recipient:{RECIPIENT}:3600:2"), other)  # the next window
    await record.release(quota(1), other)  # it holds none there: nothing changes
    assert not await record.claim(quota(1), other)
    await record.release(quota(1), message)
    assert await record.claim(quota(1), other)  # a freed slot is taken again, even below the count of slots
    assert await database[SLOTS].count_documents({}) == 2


async def test_a_bounce_is_remembered_until_it_expires(database: Database) -> None:
    record = MongoSendingRecord(database)
    assert not await record.is_bounced(RECIPIENT, NOW)
    times = [NOW + timedelta(days=days) for days in range(1, 6)]
    await asyncio.gather(*(record.mark_bounced(RECIPIENT, until) for until in times))  # bounces at once
    await record.mark_bounced(RECIPIENT, NOW + timedelta(days=1))  # a redelivery: a duplicate key
    assert await database[BOUNCES].count_documents({}) == 5
    assert await record.is_bounced(RECIPIENT, NOW + timedelta(days=4))  # the latest counts, not the last written
    assert not await record.is_bounced(RECIPIENT, NOW + timedelta(days=5))
    assert not await record.is_bounced("another recipient", NOW)


async def test_what_ended_is_forgotten(database: Database) -> None:
    record, old, current = MongoSendingRecord(database), uuid4(), uuid4()
    await record.claim(quota(1, name="recipient:a:3600:1", until=NOW - timedelta(seconds=1)), old)
    await record.claim(quota(1, name="recipient:a:3600:2"), current)
    await record.mark_bounced(RECIPIENT, NOW - timedelta(seconds=1))
    await record.mark_bounced("another recipient", NOW + timedelta(days=1))
    await record.forget_ended(NOW)
    assert [UUID(found["message"]) async for found in database[SLOTS].find()] == [current]
    assert [found["recipient"] async for found in database[BOUNCES].find()] == ["another recipient"]


async def test_the_indexes_are_created_on_first_use(database: Database) -> None:
    record = MongoSendingRecord(database)
    await record.is_bounced(RECIPIENT, NOW)
    slots, bounces = await database[SLOTS].index_information(), await database[BOUNCES].index_information()
    assert [key for index in slots.values() for key, _ in index["key"]] == ["_id", "message"]
    assert [key for index in bounces.values() for key, _ in index["key"]] == ["_id", "recipient"]


async def test_the_guard_as_notify_builds_it_keeps_no_address_or_citizen(database: Database) -> None:
    contact = base64.urlsafe_b64encode(bytes(range(32))).decode()
    settings = NotifySettings(
        keys=FieldKeySettings(contact=SecretStr(f"k1:{contact}")),
        limits=SendingLimitSettings(per_recipient_per_hour=2, per_sender_per_hour=30, bounce_days=30),
    )
    guard, submission_id = sending_guard(settings, database), uuid4()
    received = Outgoing(notification_id=uuid4(), submission_id=submission_id, verified=False, sender=None)
    assert await guard.refusal("victim@example.org", received, NOW) is None
    rejected = Outgoing(notification_id=uuid4(), submission_id=submission_id, verified=False, sender=None)
    assert await guard.refusal("victim@example.org", rejected, NOW) == Suppressed.UNVERIFIED_SENT_ALREADY
    verified = Outgoing(notification_id=uuid4(), submission_id=submission_id, verified=True, sender="citizen-4711")
    assert await guard.refusal("Victim@example.org", verified, NOW) is None
    assert await guard.refusal("victim@example.org", verified, NOW) is None  # its retry
    late = Outgoing(notification_id=uuid4(), submission_id=uuid4(), verified=True, sender="citizen-4711")
    assert await guard.refusal("victim@example.org", late, NOW) == Suppressed.RECIPIENT_LIMIT
    await guard.bounced("victim@example.org", NOW)
    assert await guard.refusal("victim@example.org", late, NOW + timedelta(hours=1)) == Suppressed.BOUNCED
    stored = [found async for found in database[SLOTS].find()] + [found async for found in database[BOUNCES].find()]
    assert "victim" not in repr(stored).lower() and "4711" not in repr(stored)
