import typing
from uuid import uuid4

import pytest

from civicflow.notify.domain.channels import ChannelRegistry
from civicflow.notify.domain.messages import Personal
from civicflow.notify.entrypoints.kafka import STEP_SOURCES
from civicflow.notify.rendering import compose
from civicflow.shared import topics
from civicflow.shared.events import (
    CitizenNotified,
    IdentityRejected,
    MunicipalityChoice,
    SubmissionDecided,
    SubmissionNeedsClarification,
    SubmissionRouted,
    SubmissionUnroutable,
    personal,
)
from civicflow.shared.events.routing import UnroutableReason
from civicflow.shared.security.keys import KeyName
from civicflow.shared.security.sealing import Unsealable, sealer_for
from tests.support.sealing import made_keys, recipient, sealer_with_every_key
from tests.unit.fakes import FakePublisher
from tests.unit.notify.fake_notifications import Notifying
from tests.unit.notify.fakes import RecordingChannel

KEYS = made_keys()
INTAKE = sealer_with_every_key(KEYS)
NOTIFY = sealer_for(KEYS, KeyName.CONTACT)


def routed(language: str = "de") -> SubmissionRouted:
    submission_id = uuid4()
    return SubmissionRouted(
        submission_id=submission_id,
        recipient=recipient(INTAKE, submission_id, "erika@example.org", language),
        agency_id="koeln-gewerbe",
        municipality_key="05315000",
    )


def test_messages_speak_the_citizens_language() -> None:
    german, english = compose(routed("de")), compose(routed("en"))
    assert german.subject == "Ihr Antrag wurde an die zuständige Stelle übermittelt"
    assert "koeln-gewerbe" in german.body and "Vorgangsnummer" in german.body
    assert english.subject.startswith("Your application") and "reference number" in english.body


def test_a_rejection_tells_the_reason_in_plain_words() -> None:
    submission_id = uuid4()
    event = IdentityRejected(
        submission_id=submission_id,
        recipient=recipient(INTAKE, submission_id, "a@example.org", "en"),
        reason="token_expired",
    )
    body = compose(event).body
    assert "Your sign-in had expired." in body and "token_expired" not in body  # words, not the code


async def test_the_citizen_is_told_then_the_telling_is_reported() -> None:
    channel, publisher = RecordingChannel(), FakePublisher()
    channels = ChannelRegistry()
    channels.register(channel)
    event = routed()
    await Notifying(channels, NOTIFY, publisher=publisher).tell([event])
    assert len(channel.sent) == 1
    assert channel.sent[0][0] == "erika@example.org"  # opened with notify's key, only to send
    # The Message-ID: stable per notification, whatever the attempt
    submission, notification, message_type = channel.sent[0][2].split(".")
    assert (submission, message_type) == (str(event.submission_id), "routed")
    assert publisher.topics() == [topics.NOTIFICATION_DUE, topics.CITIZEN_NOTIFIED, topics.CITIZEN_NOTIFIED]
    statuses = [event for _, event, _ in publisher.published if isinstance(event, CitizenNotified)]
    assert [(s.status, s.channel, s.about) for s in statuses] == [
        ("created", None, ("routed",)),
        ("sending", "email", ("routed",)),
    ]
    assert {str(s.notification_id) for s in statuses} == {notification}
    assert {key for _, _, key in publisher.published} == {str(event.submission_id)}


async def test_an_unknown_channel_falls_back_to_email_and_is_reported_as_such() -> None:
    channel, publisher = RecordingChannel(), FakePublisher()
    channels = ChannelRegistry()
    channels.register(channel)
    submission_id = uuid4()
    event = SubmissionRouted(
        submission_id=submission_id,
        agency_id="x1",
        municipality_key="05315000",
        recipient=recipient(INTAKE, submission_id, "a@example.org", channel="carrier-pigeon"),
    )
    await Notifying(channels, NOTIFY, publisher=publisher).tell([event])
    assert [address for address, _, _ in channel.sent] == ["a@example.org"]
    notified = publisher.published[-1][1]
    assert isinstance(notified, CitizenNotified) and notified.channel == "email"
    # Without e-mail there is nothing to fall back to: that fails loudly.
    with pytest.raises(LookupError, match="carrier-pigeon"):
        await Notifying(ChannelRegistry(), NOTIFY).tell([event])


async def test_an_address_sealed_for_another_submission_is_not_sent_to() -> None:
    channel, publisher = RecordingChannel(), FakePublisher()
    channels = ChannelRegistry()
    channels.register(channel)
    event, other = routed(), routed()
    forged = event.model_copy(update={"recipient": other.recipient})
    with pytest.raises(Unsealable):
        await Notifying(channels, NOTIFY, publisher=publisher).tell([forged])
    statuses = [event.status for _, event, _ in publisher.published if isinstance(event, CitizenNotified)]
    assert channel.sent == [] and statuses == ["created"]


@pytest.mark.parametrize("reason", ["ambiguous_municipality", "postal_code_city_mismatch"])
@pytest.mark.parametrize("language", ["de", "en"])
def test_a_question_tells_the_citizen_to_answer_on_the_status_page_in_plain_words(reason: str, language: str) -> None:
    submission_id = uuid4()
    event = SubmissionNeedsClarification(
        submission_id=submission_id,
        recipient=recipient(INTAKE, submission_id, "erika@example.org", language),
        reason=reason,
        choices=(MunicipalityChoice(municipality_key="05315000", name="Köln"),),
    )
    message = compose(event)
    assert (
        message.subject
        == {
            "de": "Bitte beantworten Sie eine Rückfrage zu Ihrem Antrag",
            "en": "Please answer a question about your application",
        }[language]
    )
    assert {"de": "Statusseite", "en": "status page"}[language] in message.body
    assert {"de": "Gemeinde", "en": "municipality"}[language] in message.body
    assert str(submission_id) in message.body and reason not in message.body  # plain words, not the code
    # no more of the citizen than the other mails carry: nothing of the address, nor the offered municipalities
    assert "Köln" not in message.body and "05315000" not in message.body and "51147" not in message.body


async def test_a_question_is_mailed_once_per_submission_and_reported() -> None:
    channel, publisher = RecordingChannel(), FakePublisher()
    channels = ChannelRegistry()
    channels.register(channel)
    submission_id = uuid4()
    event = SubmissionNeedsClarification(
        submission_id=submission_id,
        recipient=recipient(INTAKE, submission_id, "erika@example.org"),
        reason="postal_code_city_mismatch",
        choices=(MunicipalityChoice(municipality_key="05315000", name="Köln"),),
    )
    await Notifying(channels, NOTIFY, publisher=publisher).tell([event])
    assert channel.sent[0][2].endswith(".clarification_needed")
    notified = publisher.published[-1][1]
    assert isinstance(notified, CitizenNotified) and notified.about == ("clarification_needed",)


def test_notify_subscribes_to_the_question() -> None:
    assert STEP_SOURCES[topics.CLARIFICATION_NEEDED] is SubmissionNeedsClarification


@pytest.mark.parametrize("reason", typing.get_args(UnroutableReason))
@pytest.mark.parametrize("language", ["de", "en"])
def test_an_undeliverable_application_is_explained_in_plain_words_for_every_reason(reason: str, language: str) -> None:
    submission_id = uuid4()
    event = SubmissionUnroutable(
        submission_id=submission_id,
        recipient=recipient(INTAKE, submission_id, "erika@example.org", language),
        reason=reason,
    )
    message = compose(event)
    assert reason not in message.body and str(submission_id) in message.body  # words, not the code
    assert message.body.count("\n\n") == 3  # greeting, the explanation, the reference number, the closing


NOTIFY_WITH_LETTERS = sealer_for(KEYS, KeyName.CONTACT, KeyName.CORRESPONDENCE)


def decided(outcome: str, reason: str, language: str = "de") -> SubmissionDecided:
    submission_id = uuid4()
    return SubmissionDecided(
        submission_id=submission_id,
        recipient=recipient(INTAKE, submission_id, "erika@example.org", language),
        agency_id="koeln-gewerbe",
        outcome=outcome,
        reason=INTAKE.seal(personal.DECISION_REASON, reason, submission_id),
        decision_id=uuid4(),
    )


@pytest.mark.parametrize(
    ("outcome", "language", "subject"),
    [
        ("accepted", "de", "Ihr Antrag wurde bewilligt"),
        ("rejected", "en", "Your application has been turned down"),
        ("information_requested", "de", "Die Behörde bittet um weitere Angaben zu Ihrem Antrag"),
    ],
)
async def test_the_agencys_decision_is_mailed_with_its_own_words(outcome: str, language: str, subject: str) -> None:
    channel, publisher = RecordingChannel(), FakePublisher()
    channels = ChannelRegistry()
    channels.register(channel)
    event = decided(outcome, "Bitte senden Sie uns\nden Meisterbrief.", language)
    await Notifying(channels, NOTIFY_WITH_LETTERS, publisher=publisher).tell([event])
    ((address, message, message_key),) = channel.sent
    assert address == "erika@example.org" and message.subject == subject
    assert "> Bitte senden Sie uns\n> den Meisterbrief." in message.body  # quoted, line by line
    assert "koeln-gewerbe" in message.body and str(event.submission_id) in message.body
    # One application may get a request for information and then a decision: each its own notification.
    assert message_key.startswith(f"{event.submission_id}.") and message_key.endswith(f".{outcome}")
    notified = publisher.published[-1][1]
    assert isinstance(notified, CitizenNotified) and notified.about == ("decided",)


def test_a_request_for_information_says_where_to_answer() -> None:
    event = decided("information_requested", "Welche Hausnummer?", "en")
    body = compose(event, Personal(letter="Welche Hausnummer?")).body
    assert "status page" in body and "> Welche Hausnummer?" in body


def test_notify_subscribes_to_the_agencys_decisions() -> None:
    assert STEP_SOURCES[topics.SUBMISSION_DECIDED] is SubmissionDecided


async def test_a_reason_sealed_for_another_application_is_not_mailed() -> None:
    channel = RecordingChannel()
    channels = ChannelRegistry()
    channels.register(channel)
    event, other = decided("accepted", "Gut."), decided("accepted", "Gut.")
    forged = event.model_copy(update={"reason": other.reason})
    with pytest.raises(Unsealable):
        await Notifying(channels, NOTIFY_WITH_LETTERS, publisher=FakePublisher()).tell([forged])
    assert channel.sent == []
