"""Which channel the citizen is told by, what an HTTP provider's answer means, and the channels' settings."""

import logging
from pathlib import Path
from uuid import uuid4

import pytest
from pydantic import SecretStr, ValidationError

from civicflow.notify.adapters.http_delivery import failure_for
from civicflow.notify.config import NotifySettings
from civicflow.notify.domain.channels import AddressKind, ChannelRegistry
from civicflow.shared.events import Recipient, personal
from civicflow.shared.messaging import PermanentFailure, TransientFailure
from civicflow.shared.settings import (
    SECRETS_DIR,
    KafkaSettings,
    MongoSettings,
    NotifyWebhookSettings,
    SmsSettings,
)
from tests.support.sealing import made_keys, recipient, sealer_with_every_key
from tests.unit.notify.fakes import RecordingChannel

SEALER = sealer_with_every_key(made_keys())
PLACEHOLDER = "dev-only-not-a-secret"


def preferring(channel: str, phone: str | None = None, mailbox: str | None = None) -> Recipient:
    submission_id = uuid4()
    to = recipient(SEALER, submission_id, "erika@example.org", channel=channel)
    return to.model_copy(
        update={
            "phone": None if phone is None else SEALER.seal(personal.CONTACT_PHONE, phone, submission_id),
            "mailbox": None if mailbox is None else SEALER.seal(personal.CONTACT_MAILBOX, mailbox, submission_id),
        }
    )


def registry(*channels: RecordingChannel) -> ChannelRegistry:
    registered = ChannelRegistry()
    for channel in channels:
        registered.register(channel)
    return registered


EMAIL = RecordingChannel("email", AddressKind.EMAIL)
SMS = RecordingChannel("sms", AddressKind.PHONE)
WEBHOOK = RecordingChannel("webhook", AddressKind.MAILBOX)


def test_the_preferred_channel_is_chosen_when_the_event_carries_its_address() -> None:
    channels = registry(EMAIL, SMS, WEBHOOK)
    assert channels.for_recipient(preferring("email")) is EMAIL
    assert channels.for_recipient(preferring("sms", phone="+4915112345678")) is SMS
    assert channels.for_recipient(preferring("webhook", mailbox="postfach-4711")) is WEBHOOK
    assert channels.for_recipient(preferring("email", phone="+4915112345678")) is EMAIL  # the preference decides


def test_a_channel_whose_address_the_event_does_not_carry_falls_back_to_email() -> None:
    # Without a phone number or mailbox id: an SMS provider must never get the e-mail address as a phone number.
    channels = registry(EMAIL, SMS, WEBHOOK)
    assert channels.for_recipient(preferring("sms")) is EMAIL
    assert channels.for_recipient(preferring("webhook")) is EMAIL


def test_an_unknown_channel_falls_back_to_email_and_says_so_without_personal_data(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.WARNING, logger="civicflow.notify.domain.channels"):
        assert registry(EMAIL).for_recipient(preferring("carrier-pigeon")) is EMAIL
    (logged,) = caplog.records
    assert "carrier-pigeon" in logged.getMessage() and "'email'" in logged.getMessage()
    assert "erika" not in logged.getMessage()


def test_without_email_there_is_nothing_to_fall_back_to() -> None:
    with pytest.raises(LookupError, match="carrier-pigeon"):
        registry(SMS).for_recipient(preferring("carrier-pigeon"))
    with pytest.raises(LookupError, match="'sms'"):
        registry(SMS).for_recipient(preferring("sms"))  # registered, but no phone number in the event


def test_a_name_is_registered_once() -> None:
    with pytest.raises(ValueError, match="'email'"):
        registry(EMAIL, RecordingChannel("email"))


async def test_closing_the_registry_closes_every_channel() -> None:
    email, sms = RecordingChannel("email"), RecordingChannel("sms", AddressKind.PHONE)
    await registry(email, sms).close()
    assert email.closed and sms.closed


@pytest.mark.parametrize("status", [200, 201, 202, 204])
def test_a_2xx_is_delivered(status: int) -> None:
    assert failure_for(status, "SMS") is None


@pytest.mark.parametrize("status", [408, 425, 429, 500, 502, 503, 504])
def test_busy_or_broken_servers_are_retried(status: int) -> None:
    failure = failure_for(status, "SMS")
    assert isinstance(failure, TransientFailure) and str(failure) == f"SMS: HTTP {status}"


@pytest.mark.parametrize("status", [301, 400, 401, 403, 404, 409, 413, 422])
def test_a_refusal_is_not_retried(status: int) -> None:
    failure = failure_for(status, "webhook")
    assert isinstance(failure, PermanentFailure) and str(failure) == f"webhook: HTTP {status}"


def test_the_channels_come_from_the_conventional_variables(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    (tmp_path / "sms_token").write_text("provider-token")
    (tmp_path / "notify_webhook_previous_secret").write_text("old-secret")
    monkeypatch.setenv(SECRETS_DIR, str(tmp_path))
    monkeypatch.setenv("SMS_URL", "https://sms.example/v1/messages")
    monkeypatch.setenv("SMS_TIMEOUT_SECONDS", "3")
    monkeypatch.setenv("NOTIFY_WEBHOOK_URL", "https://postfach.example/civicflow")
    monkeypatch.setenv("NOTIFY_WEBHOOK_SECRET", "new-secret")
    settings = NotifySettings()
    assert (settings.sms.url, settings.sms.timeout_seconds) == ("https://sms.example/v1/messages", 3.0)
    assert settings.sms.token == SecretStr("provider-token")  # from its file, as every secret may be
    assert settings.webhook.signing_secrets() == ["new-secret", "old-secret"]  # the current one first
    settings.sms.check_for("prod")
    settings.webhook.check_for("prod")


def test_without_a_url_a_channel_is_not_configured() -> None:
    settings = NotifySettings()
    assert settings.sms.url is None and settings.webhook.url is None


def test_channel_settings_that_cannot_work_are_refused_at_start() -> None:
    with pytest.raises(ValidationError, match="SMS_URL"):
        SmsSettings(url="sms.example/v1")
    with pytest.raises(ValidationError, match="SMS_TOKEN"):
        SmsSettings(url="https://sms.example", username="civicflow")
    with pytest.raises(ValidationError, match="NOTIFY_WEBHOOK_SECRET"):
        NotifyWebhookSettings(url="https://postfach.example")  # unsigned, the portal could not tell us from anyone


def in_production(sms: SmsSettings | None = None, webhook: NotifyWebhookSettings | None = None) -> NotifySettings:
    """Settings that pass every check outside dev but the channels'."""
    return NotifySettings(
        kafka=KafkaSettings(security_protocol="SASL_SSL", sasl_username="notify", sasl_password=SecretStr("k")),
        mongo=MongoSettings(uri=SecretStr("mongodb://notify:m@store.example")),
        sms=sms or SmsSettings(),
        webhook=webhook or NotifyWebhookSettings(),
    )


@pytest.mark.parametrize(
    ("settings", "refusal"),
    [
        (in_production(sms=SmsSettings(url="http://sms.example")), "SMS_URL must use https"),
        (in_production(sms=SmsSettings(url="https://s.example", token=SecretStr(PLACEHOLDER))), "SMS_TOKEN is the"),
        (
            in_production(webhook=NotifyWebhookSettings(url="http://p.example", secret=SecretStr("s"))),
            "NOTIFY_WEBHOOK_URL must use https",
        ),
        (
            in_production(
                webhook=NotifyWebhookSettings(
                    url="https://p.example", secret=SecretStr("s"), previous_secret=SecretStr(PLACEHOLDER)
                )
            ),
            "NOTIFY_WEBHOOK_PREVIOUS_SECRET is the",
        ),
    ],
)
def test_outside_dev_the_channels_use_tls_and_real_secrets(settings: NotifySettings, refusal: str) -> None:
    settings.check_for("dev")
    with pytest.raises(ValueError, match=refusal):
        settings.check_for("prod")


def test_channels_with_tls_and_real_secrets_start_in_production() -> None:
    in_production(
        sms=SmsSettings(url="https://sms.example", token=SecretStr("t")),
        webhook=NotifyWebhookSettings(url="https://p.example", secret=SecretStr("s")),
    ).check_for("prod")
