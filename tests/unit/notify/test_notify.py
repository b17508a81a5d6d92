from uuid import uuid4

import pytest

from civicflow.notify.domain.channels import ChannelRegistry
from civicflow.notify.domain.messages import Message, compose
from civicflow.notify.handlers import notify_citizen
from civicflow.shared import topics
from civicflow.shared.events import CitizenNotified, IdentityRejected, Recipient, SubmissionRouted
from tests.unit.fakes import FakePublisher


class RecordingChannel:
    name = "email"

    def __init__(self) -> None:
        self.sent: list[tuple[Recipient, Message, str]] = []

    async def send(self, recipient: Recipient, message: Message, message_key: str) -> None:
        self.sent.append((recipient, message, message_key))


class FakeLedger:
    def __init__(self) -> None:
        self.sent: dict[str, str] = {}

    async def was_sent(self, key: str) -> bool:
        return key in self.sent

    async def record_sent(self, key: str, channel: str) -> None:
        self.sent[key] = channel


def routed(language: str = "de") -> SubmissionRouted:
    return SubmissionRouted(
        submission_id=uuid4(),
        recipient=Recipient(email="erika@example.org", language=language),
        agency_id="koeln-gewerbe",
        municipality_key="05315000",
    )


def test_messages_speak_the_citizens_language() -> None:
    german, english = compose(routed("de")), compose(routed("en"))
    assert german.subject == "Ihr Antrag wurde an die zuständige Stelle übermittelt"
    assert "koeln-gewerbe" in german.body and "Vorgangsnummer" in german.body
    assert english.subject.startswith("Your application") and "reference number" in english.body


def test_a_rejection_tells_the_reason() -> None:
    event = IdentityRejected(
        submission_id=uuid4(),
        recipient=Recipient(email="a@example.org", language="en"),
        reason="token_expired",
    )
    assert "token_expired" in compose(event).body


async def test_a_step_is_sent_once_even_when_the_event_comes_twice() -> None:
    channel, ledger, publisher = RecordingChannel(), FakeLedger(), FakePublisher()
    channels = ChannelRegistry()
    channels.register(channel)
    event = routed()
    await notify_citizen(event, channels, ledger, publisher)
    await notify_citizen(event, channels, ledger, publisher)
    assert len(channel.sent) == 1
    assert channel.sent[0][2] == f"{event.submission_id}.routed"
    assert publisher.topics() == [topics.CITIZEN_NOTIFIED] * 2
    first, second = (published for _, published, _ in publisher.published)
    assert isinstance(first, CitizenNotified) and isinstance(second, CitizenNotified)
    assert first.event_id == second.event_id  # intake keeps one entry


async def test_an_unknown_channel_fails_loudly() -> None:
    event = SubmissionRouted(
        submission_id=uuid4(),
        agency_id="x1",
        municipality_key="05315000",
        recipient=Recipient(email="a@example.org", language="de", channel="carrier-pigeon"),
    )
    with pytest.raises(LookupError, match="carrier-pigeon"):
        await notify_citizen(event, ChannelRegistry(), FakeLedger(), FakePublisher())
