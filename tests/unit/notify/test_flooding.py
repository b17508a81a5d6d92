"""Nobody can use CivicFlow to flood an address (issue 10): the sending limits of domain.flooding, with the record in
memory (the store is tested in tests/integration/test_sending_limits_store.py)."""

from datetime import UTC, datetime, timedelta
from uuid import UUID, uuid4

import pytest

from civicflow.notify.config import SendingLimitSettings
from civicflow.notify.domain.flooding import Limits, Outgoing, SendingGuard, SendingLimits, Suppressed
from civicflow.notify.domain.recipients import counting_key, normalised, recipient_key, sender_key
from tests.unit.notify.fakes import FakeSendingRecord

KEY = bytes(range(32))
VICTIM = "victim@example.org"
NOON = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)


def guard(
    record: FakeSendingRecord | None = None,
    *,
    per_recipient_per_hour: int = 20,
    unverified_per_recipient_per_day: int = 5,
    per_sender_per_hour: int = 30,
) -> SendingLimits:
    limits = Limits(per_recipient_per_hour, unverified_per_recipient_per_day, per_sender_per_hour)
    return SendingLimits(limits, key=KEY, record=record or FakeSendingRecord())


def unverified(submission_id: UUID | None = None) -> Outgoing:
    return Outgoing(notification_id=uuid4(), submission_id=submission_id or uuid4(), verified=False, sender=None)


def verified(sender: str = "citizen-1", submission_id: UUID | None = None) -> Outgoing:
    return Outgoing(notification_id=uuid4(), submission_id=submission_id or uuid4(), verified=True, sender=sender)


async def refusals(limits: SendingGuard, address: str, outgoing: list[Outgoing], now: datetime) -> list[str | None]:
    return [await limits.refusal(address, each, now) for each in outgoing]


# Before verification, one message per submission


async def test_an_unverified_submission_sends_one_message_and_another_submission_its_own() -> None:
    limits, submission_id = guard(), uuid4()
    assert await limits.refusal(VICTIM, unverified(submission_id), NOON) is None  # "received"
    rejected = unverified(submission_id)
    assert await limits.refusal(VICTIM, rejected, NOON) == Suppressed.UNVERIFIED_SENT_ALREADY
    # Another application by the same citizen, to the same address, is told: the rule is per submission.
    assert await limits.refusal(VICTIM, unverified(), NOON) is None
    # Once verified, the submission's messages go again.
    assert await limits.refusal(VICTIM, verified(submission_id=submission_id), NOON) is None


async def test_twenty_garbage_submissions_naming_one_victim_send_five_mails() -> None:
    limits, outgoing = guard(), []
    for _ in range(20):  # each would be "received", then "rejected"
        submission_id = uuid4()
        outgoing += [unverified(submission_id), unverified(submission_id)]
    answers = await refusals(limits, VICTIM, outgoing, NOON + timedelta(minutes=5))
    assert answers.count(None) == 5 and answers[:10:2] == [None] * 5  # the first five "received"
    assert answers[1:10:2] == [Suppressed.UNVERIFIED_SENT_ALREADY] * 5  # their "rejected"
    assert set(answers[10:]) == {Suppressed.RECIPIENT_LIMIT}  # the address had its five today
    # Verified messages to the same address still go: five of its twenty an hour are taken.
    assert await limits.refusal(VICTIM, verified(), NOON + timedelta(minutes=5)) is None
    # The next day, five more unverified ones.
    tomorrow = NOON + timedelta(days=1)
    assert (await refusals(limits, VICTIM, [unverified() for _ in range(6)], tomorrow)).count(None) == 5


async def test_a_message_that_does_not_go_holds_no_slot() -> None:
    record = FakeSendingRecord()
    limits, submission_id = guard(record, unverified_per_recipient_per_day=1), uuid4()
    assert await limits.refusal(VICTIM, unverified(), NOON) is None
    received = unverified(submission_id)
    assert await limits.refusal(VICTIM, received, NOON) == Suppressed.RECIPIENT_LIMIT
    assert record.taken() == 3  # the first message's: its submission, the day's, the hour's
    # Its submission sent nothing, so tomorrow its next message is its first.
    assert await limits.refusal(VICTIM, unverified(submission_id), NOON + timedelta(days=1)) is None


# Per recipient


async def test_an_address_gets_at_most_its_hourly_limit_however_it_is_written() -> None:
    limits = guard(per_recipient_per_hour=3)
    spellings = [VICTIM, " Victim@Example.ORG", "victim+1@example.org", "VICTIM+spam@example.org"]
    answers = [await limits.refusal(address, verified(f"citizen-{n}"), NOON) for n, address in enumerate(spellings)]
    assert answers == [None, None, None, Suppressed.RECIPIENT_LIMIT]
    assert await limits.refusal("other@example.org", verified(), NOON) is None  # another address: its own count
    assert await limits.refusal(VICTIM, verified(), NOON + timedelta(minutes=59, seconds=59)) is not None
    assert await limits.refusal(VICTIM, verified(), NOON + timedelta(hours=1)) is None  # the next clock hour


# Per sender


async def test_a_verified_citizen_sends_at_most_their_hourly_limit_to_any_addresses() -> None:
    limits = guard(per_sender_per_hour=2)
    addresses = [f"person{n}@example.org" for n in range(3)]
    answers = [await limits.refusal(address, verified("citizen-1"), NOON) for address in addresses]
    assert answers == [None, None, Suppressed.SENDER_LIMIT]
    assert await limits.refusal(addresses[2], verified("citizen-2"), NOON) is None  # another citizen
    assert await limits.refusal(addresses[2], verified("citizen-1"), NOON + timedelta(hours=1)) is None


async def test_a_message_stopped_by_its_sender_takes_no_slot_of_its_recipient() -> None:
    limits = guard(per_sender_per_hour=1, per_recipient_per_hour=1)
    assert await limits.refusal("a@example.org", verified("citizen-1"), NOON) is None
    assert await limits.refusal(VICTIM, verified("citizen-1"), NOON) == Suppressed.SENDER_LIMIT
    assert await limits.refusal(VICTIM, verified("citizen-2"), NOON) is None


# Bounces


async def test_a_bounced_address_is_not_sent_to_again_until_bounce_days_passed() -> None:
    record = FakeSendingRecord()
    limits = guard(record)
    await limits.bounced(VICTIM, NOON)
    assert await limits.refusal("Victim+x@example.org", verified(), NOON + timedelta(days=29)) == Suppressed.BOUNCED
    assert await limits.refusal(VICTIM, unverified(), NOON) == Suppressed.BOUNCED
    assert record.taken() == 0  # refused before any slot was taken
    assert await limits.refusal("other@example.org", verified(), NOON) is None
    assert await limits.refusal(VICTIM, verified(), NOON + timedelta(days=30)) is None


async def test_bounce_days_are_configurable() -> None:
    limits = SendingLimits(Limits(bounce_for=timedelta(days=2)), key=KEY, record=FakeSendingRecord())
    await limits.bounced(VICTIM, NOON)
    assert await limits.refusal(VICTIM, verified(), NOON + timedelta(days=1)) == Suppressed.BOUNCED
    assert await limits.refusal(VICTIM, verified(), NOON + timedelta(days=2)) is None


# Retries


async def test_a_retry_of_the_same_notification_keeps_its_slots() -> None:
    record = FakeSendingRecord()
    limits, submission_id = guard(record, per_recipient_per_hour=1), uuid4()
    received = unverified(submission_id)
    assert await limits.refusal(VICTIM, received, NOON) is None
    # The send failed for a passing reason; the retry finds every quota full, of its own slots.
    assert await limits.refusal(VICTIM, received, NOON + timedelta(minutes=10)) is None
    assert record.taken() == 3
    assert await limits.refusal(VICTIM, unverified(submission_id), NOON) == Suppressed.UNVERIFIED_SENT_ALREADY
    assert await limits.refusal(VICTIM, verified(), NOON) == Suppressed.RECIPIENT_LIMIT
    sent = verified()
    assert await limits.refusal("a@example.org", sent, NOON) is None
    assert await limits.refusal("a@example.org", sent, NOON) is None


# Windows roll over, and what ended is forgotten


async def test_ended_windows_are_forgotten_once_an_hour() -> None:
    record = FakeSendingRecord()
    limits = guard(record)
    await limits.refusal(VICTIM, verified(), NOON)
    await limits.refusal(VICTIM, verified(), NOON + timedelta(minutes=30))
    await limits.bounced("gone@example.org", NOON)
    assert record.forgotten_at == [NOON]  # at the first message, then not again within the hour
    assert record.taken() == 4  # two messages, each of its sender and its recipient
    await limits.refusal("a@example.org", unverified(), NOON + timedelta(hours=1))
    assert record.forgotten_at[-1] == NOON + timedelta(hours=1)
    assert record.taken() == 3  # the first hour's four are gone; the new message's three are kept
    await limits.refusal("a@example.org", verified(), NOON + timedelta(days=31))
    assert all(bounces == [] for bounces in record.bounces.values())


def test_windows_are_clock_hours_and_utc_days() -> None:
    limits, recipient = guard(), recipient_key(KEY, VICTIM)
    quotas = limits.quotas(recipient, unverified(), NOON + timedelta(minutes=42))
    submission, day, hour = quotas
    assert (submission.limit, day.limit, hour.limit) == (1, 5, 20)
    assert day.until == NOON + timedelta(hours=12) and hour.until == NOON + timedelta(hours=1)
    assert hour.name == limits.quotas(recipient, verified(), NOON)[-1].name  # the same hour for every message
    assert [quota.exceeded for quota in limits.quotas(recipient, verified(), NOON)] == [
        Suppressed.SENDER_LIMIT,
        Suppressed.RECIPIENT_LIMIT,
    ]


# What is kept


async def test_nothing_kept_names_the_address_or_the_citizen() -> None:
    record = FakeSendingRecord()
    limits = guard(record)
    await limits.refusal(VICTIM, verified("citizen-4711"), NOON)
    await limits.refusal(VICTIM, unverified(), NOON)
    await limits.bounced(VICTIM, NOON)
    kept = repr(record.slots) + repr(record.bounces)
    assert "victim" not in kept and "4711" not in kept
    assert KEY.hex() not in repr(limits)


def test_a_recipient_is_an_hmac_of_the_normalised_address() -> None:
    key = counting_key(b"\x01" * 32)
    assert key != b"\x01" * 32 and key == counting_key(b"\x01" * 32) and len(key) == 32
    one = recipient_key(key, VICTIM)
    assert one == recipient_key(key, " Victim+spam@Example.ORG ")  # one mailbox, however it is written
    assert one != recipient_key(key, "other@example.org") and one != recipient_key(KEY, VICTIM)
    assert len(one) == 64 and one != sender_key(key, VICTIM)  # an address and a citizen id never share a count
    assert normalised("Ä+1@b.DE") == "ä@b.de"
    assert normalised("+49 (151) 123-456.78") == normalised("+4915112345678") == "+4915112345678"


def test_the_limits_are_read_from_notify_limit_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    assert SendingLimitSettings().model_dump() == {
        "per_recipient_per_hour": 20,
        "unverified_per_recipient_per_day": 5,
        "per_sender_per_hour": 30,
        "bounce_days": 30,
    }
    for name, value in [("PER_RECIPIENT_PER_HOUR", "7"), ("UNVERIFIED_PER_RECIPIENT_PER_DAY", "2")]:
        monkeypatch.setenv(f"NOTIFY_LIMIT_{name}", value)
    monkeypatch.setenv("NOTIFY_LIMIT_PER_SENDER_PER_HOUR", "9")
    monkeypatch.setenv("NOTIFY_LIMIT_BOUNCE_DAYS", "60")
    assert SendingLimitSettings().model_dump() == {
        "per_recipient_per_hour": 7,
        "unverified_per_recipient_per_day": 2,
        "per_sender_per_hour": 9,
        "bounce_days": 60,
    }
