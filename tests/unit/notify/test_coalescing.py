"""The notification policy and coalescing: steps close together go out as one message naming the latest state,
quiet steps alone send nothing, a step that tells later gets its own message, and nothing is told twice."""

from datetime import UTC, datetime, timedelta
from pathlib import Path
from uuid import UUID, uuid4

import pytest

from civicflow.notify.domain.channels import ChannelRegistry
from civicflow.notify.domain.policy import NotificationPolicy
from civicflow.notify.main import shipped_policy
from civicflow.shared import topics
from civicflow.shared.events import (
    CitizenNotified,
    IdentityVerified,
    NotificationDue,
    Recipient,
    StatusEvent,
    SubmissionDecided,
    SubmissionReceived,
    SubmissionRouted,
    personal,
)
from civicflow.shared.security.keys import KeyName
from civicflow.shared.security.sealing import sealer_for
from tests.support.sealing import made_keys, recipient, sealer_with_every_key
from tests.unit.notify.fake_notifications import Notifying, ScriptedChannel

KEYS = made_keys()
INTAKE = sealer_with_every_key(KEYS)
NOTIFY = sealer_for(KEYS, KeyName.CONTACT, KeyName.CORRESPONDENCE)
POLICY = NotificationPolicy.read(shipped_policy())
T0 = datetime(2026, 11, 28, 9, 0, tzinfo=UTC)


class Application:
    """The events of one application, as the services publish them."""

    def __init__(self) -> None:
        self.submission_id = uuid4()
        self.to = recipient(INTAKE, self.submission_id, "erika@example.org")

    def first_recipient(self) -> Recipient:
        link = INTAKE.seal(personal.STATUS_LINK, "https://civicflow.example/status/x?token=t", self.submission_id)
        return self.to.model_copy(update={"status_link": link})

    def received(self) -> SubmissionReceived:
        sealed = INTAKE.seal(personal.FORM, {}, self.submission_id)
        return SubmissionReceived(
            submission_id=self.submission_id,
            recipient=self.first_recipient(),
            service_id="99123456760000",
            applicant=sealed,
            form=sealed,
            identity_token=None,
            minimum_level_of_assurance="none",
        )

    def verified(self) -> IdentityVerified:
        sealed = INTAKE.seal(personal.FORM, {}, self.submission_id)
        return IdentityVerified(
            submission_id=self.submission_id,
            recipient=self.to,
            service_id="99123456760000",
            applicant=sealed,
            form=sealed,
            level_of_assurance="substantial",
            received_at=T0,
        )

    def routed(self) -> SubmissionRouted:
        return SubmissionRouted(
            submission_id=self.submission_id,
            recipient=self.to,
            agency_id="koeln-gewerbe",
            agency_name="Stadt Köln, Gewerbeamt",
            municipality_key="05315000",
        )

    def decided(self, outcome: str = "accepted") -> SubmissionDecided:
        return SubmissionDecided.model_validate(
            {
                "submission_id": self.submission_id,
                "recipient": self.to,
                "agency_id": "koeln-gewerbe",
                "outcome": outcome,
                "reason": INTAKE.seal(personal.DECISION_REASON, "Gut.", self.submission_id),
                "decision_id": uuid4(),
            }
        )


def notifying(channel: ScriptedChannel) -> Notifying:
    channels = ChannelRegistry()
    channels.register(channel)
    return Notifying(channels, NOTIFY, POLICY)


def statuses(notify: Notifying) -> list[CitizenNotified]:
    return [event for _, event, _ in notify.publisher.published if isinstance(event, CitizenNotified)]


async def send_due(notify: Notifying, now: datetime) -> list[NotificationDue]:
    due = await notify.close_due(now)
    for each in due:
        await notify.sending.send(each)
    return due


def test_the_shipped_policy_tells_of_received_rejections_questions_and_decisions_within_a_minute() -> None:
    assert {str(step) for step in POLICY.tells} == {
        "received",
        "rejected",
        "unroutable",
        "clarification_needed",
        "decided",
    }
    assert POLICY.coalesce == timedelta(seconds=60)


@pytest.mark.parametrize(
    ("document", "problem"),
    [
        ({"steps": {"recieved": "tell"}}, "does not hear of: recieved"),
        ({"steps": {"received": "tell"}}, "says nothing of"),
        ({}, "no \\[steps\\]"),
    ],
)
def test_a_policy_with_a_typo_is_refused_rather_than_silencing_a_step(
    document: dict[str, object], problem: str
) -> None:
    with pytest.raises(ValueError, match=problem):
        NotificationPolicy.parse(document)


def test_a_policy_file_and_a_window_that_overrides_it(tmp_path: Path) -> None:
    policy_file = tmp_path / "policy.toml"
    policy_file.write_text(shipped_policy().read_text().replace('verified = "quiet"', 'verified = "tell"'))
    policy = NotificationPolicy.read(policy_file, coalesce_seconds=2)
    assert "verified" in policy.tells and policy.coalesce == timedelta(seconds=2)
    policy_file.write_text(shipped_policy().read_text().replace('verified = "quiet"', 'verified = "loud"'))
    with pytest.raises(ValueError, match="loud"):
        NotificationPolicy.read(policy_file)


async def test_received_verified_and_routed_within_the_window_are_one_message_naming_the_latest_state() -> None:
    application, channel = Application(), ScriptedChannel()
    notify = notifying(channel)
    await notify.keep([application.received()], T0)
    await notify.keep([application.verified()], T0 + timedelta(seconds=1))
    await notify.keep([application.routed()], T0 + timedelta(seconds=2))
    assert await notify.close_due(T0 + timedelta(seconds=59)) == []  # the window is still open
    (due,) = await send_due(notify, T0 + timedelta(seconds=60))
    assert len(channel.sent) == 1
    created, sending = statuses(notify)
    assert (created.status, sending.status) == ("created", "sending")
    assert sending.message_type == "routed" and sending.about == ("received", "verified", "routed")
    notification = notify.store.notifications[due.notification_id]
    assert notification.status_link is not None and notification.verified
    assert await notify.close_due(T0 + timedelta(hours=2)) == []  # nothing is left to tell


async def test_a_message_lists_its_steps_in_the_order_the_application_took_them() -> None:
    application, channel = Application(), ScriptedChannel()
    notify = notifying(channel)
    received, verified, routed = application.received(), application.verified(), application.routed()
    for seconds, event in enumerate((routed, verified, received)):  # each topic is read apart: any order comes
        await notify.keep([event], T0 + timedelta(seconds=seconds))
    (due,) = await send_due(notify, T0 + timedelta(seconds=62))
    assert notify.store.notifications[due.notification_id].about == ("received", "verified", "routed")


async def test_a_decision_an_hour_later_is_a_message_of_its_own() -> None:
    application, channel = Application(), ScriptedChannel()
    notify = notifying(channel)
    await notify.keep([application.received(), application.verified(), application.routed()], T0)
    await send_due(notify, T0 + timedelta(seconds=60))
    await notify.keep([application.decided("accepted")], T0 + timedelta(hours=1))
    (due,) = await send_due(notify, T0 + timedelta(hours=1, seconds=60))
    assert len(channel.sent) == 2 and channel.sent[0][1] != channel.sent[1][1]
    assert channel.sent[1][1].endswith(".accepted")
    second = notify.store.notifications[due.notification_id]
    assert second.about == ("decided",) and second.status_link is None  # the link went with the first message


async def test_quiet_steps_alone_send_nothing() -> None:
    application, channel = Application(), ScriptedChannel()
    notify = notifying(channel)
    await notify.keep([application.verified(), application.routed()], T0)
    assert await send_due(notify, T0 + timedelta(hours=1)) == [] and channel.sent == []


async def test_a_step_redelivered_after_its_message_is_not_told_again() -> None:
    application, channel = Application(), ScriptedChannel()
    notify = notifying(channel)
    received = application.received()
    await notify.keep([received], T0)
    await send_due(notify, T0 + timedelta(seconds=60))
    await notify.keep([received], T0 + timedelta(seconds=90))  # Kafka delivers it once more
    assert await send_due(notify, T0 + timedelta(hours=1)) == [] and len(channel.sent) == 1


async def test_a_window_looked_at_twice_writes_the_same_notification_once() -> None:
    application, channel = Application(), ScriptedChannel()
    notify = notifying(channel)
    await notify.keep([application.received()], T0)
    (window,) = await notify.store.due(T0 + timedelta(seconds=60))
    (first,) = await notify.close_due(T0 + timedelta(seconds=60))
    await notify.store.open([window])  # as if the window's closing had crashed before it was closed
    (again,) = await notify.close_due(T0 + timedelta(seconds=61))
    assert first.notification_id == again.notification_id and len(notify.store.notifications) == 1


async def test_a_step_that_tells_while_a_window_is_being_closed_gets_the_next_window() -> None:
    application, channel = Application(), ScriptedChannel()
    notify = notifying(channel)
    await notify.keep([application.received()], T0)
    # A decision heard of after the window was due, while it was still open: it opened no window of its own.
    await notify.keep([application.decided("rejected")], T0 + timedelta(seconds=61))
    assert len(notify.store.windows) == 1
    await send_due(notify, T0 + timedelta(seconds=61))
    assert [key.rsplit(".", 1)[1] for _, key in channel.sent] == ["received"]
    await send_due(notify, T0 + timedelta(seconds=121))
    assert [key.rsplit(".", 1)[1] for _, key in channel.sent] == ["received", "rejected"]


async def test_every_status_is_published_under_the_application_key() -> None:
    application, channel = Application(), ScriptedChannel()
    notify = notifying(channel)
    await notify.keep([application.received()], T0)
    await send_due(notify, T0 + timedelta(seconds=60))
    assert notify.publisher.topics() == [topics.NOTIFICATION_DUE, topics.CITIZEN_NOTIFIED, topics.CITIZEN_NOTIFIED]
    assert {key for _, _, key in notify.publisher.published} == {str(application.submission_id)}
    assert all(isinstance(UUID(str(event.event_id)), UUID) for event in statuses(notify))


def applications_events(application: Application) -> list[StatusEvent]:
    return [application.received(), application.verified(), application.routed()]
