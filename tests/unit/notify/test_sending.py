"""Sending a notification: once, with honest statuses; a passing failure is reported and raised for the retry
topics, a refusal for good stops at once, a crash between the attempt and its outcome resends under the same key."""

from datetime import datetime
from typing import NamedTuple
from uuid import UUID, uuid4

import pytest
from prometheus_client import CollectorRegistry

from civicflow.notify.adapters.prometheus_statuses import StatusCountingPublisher
from civicflow.notify.domain.channels import ChannelRegistry
from civicflow.notify.domain.flooding import Outgoing, Suppressed
from civicflow.notify.domain.notes import note_of
from civicflow.notify.domain.notifications import Notification
from civicflow.notify.handlers.sending import Sending
from civicflow.shared.events import CitizenNotified, NotificationDue, NotificationStatus, SubmissionRouted
from civicflow.shared.messaging import PermanentFailure, TransientFailure
from civicflow.shared.security.keys import KeyName
from civicflow.shared.security.sealing import sealer_for
from tests.support.sealing import made_keys, recipient, sealer_with_every_key
from tests.unit.notify.fake_notifications import FakeNotificationStore, Notifying, ScriptedChannel

KEYS = made_keys()
INTAKE = sealer_with_every_key(KEYS)
NOTIFY = sealer_for(KEYS, KeyName.CONTACT)


async def notification_in(store: FakeNotificationStore, verified: bool = True) -> NotificationDue:
    submission_id = uuid4()
    event = SubmissionRouted(
        submission_id=submission_id,
        recipient=recipient(INTAKE, submission_id, "erika@example.org"),
        agency_id="koeln-gewerbe",
        municipality_key="05315000",
    )
    notification = Notification(uuid4(), submission_id, note_of(event), ("routed",), verified, None)  # type: ignore[arg-type]
    await store.create(notification, [])
    return NotificationDue(submission_id=submission_id, notification_id=notification.notification_id)


def notifying(channel: ScriptedChannel) -> Notifying:
    channels = ChannelRegistry()
    channels.register(channel)
    return Notifying(channels, NOTIFY)


def reported(notify: Notifying) -> list[tuple[str, int, bool]]:
    return [
        (event.status, event.attempt, event.will_retry)
        for _, event, _ in notify.publisher.published
        if isinstance(event, CitizenNotified)
    ]


class Outcome(NamedTuple):
    status: str
    attempt: int
    event_id: UUID
    channel: str | None
    reason: str | None


def outcomes(notify: Notifying) -> list[Outcome]:
    """Each status event as the citizen's timeline keeps it (without the moment it was published)."""
    return [
        Outcome(event.status, event.attempt, event.event_id, event.channel, event.reason)
        for _, event, _ in notify.publisher.published
        if isinstance(event, CitizenNotified)
    ]


async def test_a_passing_failure_is_reported_and_raised_then_the_retry_sends_under_the_same_key() -> None:
    channel = ScriptedChannel(TransientFailure("SMTP 451"), NotificationStatus.SENDING)
    notify = notifying(channel)
    due = await notification_in(notify.store)
    with pytest.raises(TransientFailure):
        await notify.sending.send(due)
    await notify.sending.send(due)  # the retry topic brings it again
    assert reported(notify) == [("temporary-failure", 1, True), ("sending", 2, False)]
    assert len({key for _, key in channel.sent}) == 1 and len(channel.sent) == 2
    await notify.sending.send(due)  # and once more: sent already, so only reported again
    assert len(channel.sent) == 2
    assert reported(notify)[-1] == ("sending", 2, False)


async def test_the_last_attempts_failure_says_it_will_not_be_retried() -> None:
    channel = ScriptedChannel(TransientFailure("SMTP 451"))
    notify = notifying(channel)  # three attempts in all
    due = await notification_in(notify.store)
    for _ in range(3):
        with pytest.raises(TransientFailure):
            await notify.sending.send(due)
    assert [will_retry for _, _, will_retry in reported(notify)] == [True, True, False]


async def test_a_refusal_for_good_stops_at_once_without_a_dead_letter() -> None:
    channel = ScriptedChannel(PermanentFailure("SMTP 552"))
    notify = notifying(channel)
    due = await notification_in(notify.store)
    await notify.sending.send(due)  # returns: nothing to retry, nothing to replay
    await notify.sending.send(due)  # a redelivery: not sent again, its outcome reported again with its reason
    assert len(channel.sent) == 1
    first, again = outcomes(notify)
    assert first == again and first[:2] == ("permanent-failure", 1) and "SMTP 552" in (first.reason or "")


async def test_our_own_fault_is_a_technical_failure_and_raised_for_the_dead_letters() -> None:
    channel = ScriptedChannel(ValueError("a defect"), NotificationStatus.SENDING)
    notify = notifying(channel)
    due = await notification_in(notify.store)
    with pytest.raises(ValueError, match="a defect"):
        await notify.sending.send(due)
    await notify.sending.send(due)  # replayed from the dead letters once the defect is mended
    assert reported(notify) == [("technical-failure", 1, False), ("sending", 2, False)]


async def test_a_crash_between_the_attempt_and_its_outcome_resends_under_the_same_key() -> None:
    class Crash(BaseException):
        """What SIGKILL does to the handler: it never returns (tests/e2e/test_notifications kills it for real)."""

    channel = ScriptedChannel(NotificationStatus.SENDING)
    notify = notifying(channel)
    due = await notification_in(notify.store)
    settle = notify.store.settle

    async def crash(*_: object) -> None:
        raise Crash

    notify.store.settle = crash  # type: ignore[method-assign,assignment]
    with pytest.raises(Crash):
        await notify.sending.send(due)
    notify.store.settle = settle  # type: ignore[method-assign]
    await notify.sending.send(due)  # the due record was not committed: it comes again
    (first, second) = channel.sent
    assert first == second  # the same address and Message-ID: the mail client shows one
    assert [attempt for _, attempt in notify.store.attempts] == [1, 2]


async def test_an_outcome_recorded_but_not_published_is_published_when_the_notification_comes_again() -> None:
    """The broker away (or notify killed) between recording the outcome and publishing it: the due record was not
    committed, so it comes again; the mail is not sent again, and the citizen's timeline hears of it after all."""
    channel = ScriptedChannel(NotificationStatus.SENDING)
    notify = notifying(channel)
    due = await notification_in(notify.store)
    notify.publisher.fail = True
    with pytest.raises(ConnectionError):
        await notify.sending.send(due)
    notify.publisher.fail = False
    await notify.sending.send(due)
    await notify.sending.send(due)  # and once more: the same report, folded into the first by its event id
    assert len(channel.sent) == 1
    first, again = outcomes(notify)
    assert first == again and first[:2] == ("sending", 1)


async def test_a_message_the_limits_refuse_is_not_sent_and_says_why() -> None:
    class Refusing:
        async def refusal(self, address: str, outgoing: Outgoing, now: datetime) -> Suppressed | None:
            return Suppressed.RECIPIENT_LIMIT

        async def bounced(self, address: str, now: datetime) -> None: ...

    channel = ScriptedChannel()
    notify = notifying(channel)
    notify.guard = Refusing()  # type: ignore[assignment]
    due = await notification_in(notify.store)
    await notify.sending.send(due)
    (status,) = [e for _, e, _ in notify.publisher.published if isinstance(e, CitizenNotified)]
    assert status.status == "permanent-failure" and status.reason == "not sent: recipient_limit"
    assert channel.sent == []


async def test_an_unknown_notification_is_a_dead_letter() -> None:
    notify = notifying(ScriptedChannel())
    with pytest.raises(PermanentFailure):
        await notify.sending.send(NotificationDue(submission_id=uuid4(), notification_id=uuid4()))


async def test_each_status_a_message_reaches_is_counted_per_channel_as_it_is_published() -> None:
    channel = ScriptedChannel(TransientFailure("SMTP 451"), NotificationStatus.SENDING)
    notify, metrics = notifying(channel), CollectorRegistry()
    counting = StatusCountingPublisher(notify.publisher, metrics)
    sending = Sending(notify.store, notify.channels, notify.guard, NOTIFY, counting, attempts=3)
    due = await notification_in(notify.store)
    with pytest.raises(TransientFailure):
        await sending.send(due)
    await sending.send(due)
    assert reported(notify) == [("temporary-failure", 1, True), ("sending", 2, False)]  # published as before

    def counted(status: str) -> float | None:
        return metrics.get_sample_value("civicflow_notification_statuses_total", {"channel": "email", "status": status})

    assert (counted("temporary-failure"), counted("sending"), counted("delivered")) == (1, 1, None)
