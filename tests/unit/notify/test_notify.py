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


async def test_the_citizen_is_told_then_the_telling_is_reported() -> None:
    channel, publisher = RecordingChannel(), FakePublisher()
    channels = ChannelRegistry()
    channels.register(channel)
    event = routed()
    await notify_citizen(event, channels, publisher)
    assert len(channel.sent) == 1
    assert channel.sent[0][2] == f"{event.submission_id}.routed"  # the Message-ID: stable per submission and step
    assert publisher.topics() == [topics.CITIZEN_NOTIFIED]
    ((_, notified, key),) = publisher.published
    assert isinstance(notified, CitizenNotified) and key == str(event.submission_id)
    assert (notified.notified_step, notified.channel) == ("routed", "email")


async def test_an_unknown_channel_fails_loudly() -> None:
    event = SubmissionRouted(
        submission_id=uuid4(),
        agency_id="x1",
        municipality_key="05315000",
        recipient=Recipient(email="a@example.org", language="de", channel="carrier-pigeon"),
    )
    with pytest.raises(LookupError, match="carrier-pigeon"):
        await notify_citizen(event, ChannelRegistry(), FakePublisher())
