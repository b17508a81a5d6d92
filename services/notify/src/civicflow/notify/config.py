"""Notify's settings."""

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from civicflow.shared.settings import (
    Environment,
    MessagingSettings,
    NotifyWebhookSettings,
    ServiceSettings,
    SmsSettings,
    SmtpSettings,
)
from civicflow.shared.topics import ConsumerGroup

SERVICE_NAME = "civicflow-notify"
DEFAULT_DATABASE = "civicflow_notify"
DEFAULT_PORT = 8083
CONSUMER_GROUP = ConsumerGroup.NOTIFY


class NotificationSettings(BaseSettings):
    """What the citizen is told and when (the policy file), and how long notify keeps trying (README,
    "Notifications")."""

    model_config = SettingsConfigDict(env_prefix="NOTIFY_", extra="ignore")

    # Another policy file of the form of civicflow/notify/policy/default.toml; unset, that one.
    policy_file: Path | None = None
    # The coalescing window, overriding the policy file's `coalesce_seconds`.
    coalesce_seconds: float | None = Field(default=None, ge=0, le=86400)
    # A provider that answered "later" is tried again after 30 s, 5 min, 30 min, then every hour (each ±20 %,
    # MessagingSettings.retry_jitter), eleven retries in all: for about eight hours, before the dead letter.
    retry_delays_seconds: tuple[float, ...] = (30.0, 300.0, 1800.0, 3600.0)
    retry_attempts: int = Field(default=11, ge=1)
    # How long an application's notes and messages are kept after it was last heard of.
    retention_days: int = Field(default=365, ge=1)

    def messaging(self, shared: MessagingSettings) -> MessagingSettings:
        """The shared consumer settings with notify's own retry schedule."""
        changed = shared.model_dump() | {
            "retry_delays_seconds": self.retry_delays_seconds,
            "retry_attempts": self.retry_attempts,
        }
        return MessagingSettings(**changed)


class SendingLimitSettings(BaseSettings):
    """How much notify sends to one address and for one citizen (domain.flooding; README, issue 10)."""

    model_config = SettingsConfigDict(env_prefix="NOTIFY_LIMIT_", extra="ignore")

    # An application tells its citizen four or five times, minutes or days apart; twenty an hour is several
    # applications at once, and not yet a flood.
    per_recipient_per_hour: int = Field(default=20, ge=1)
    # Unverified messages to one address a day, across all applications naming it: what anyone can make us send to
    # an address nobody has vouched for (each application's first message only).
    unverified_per_recipient_per_day: int = Field(default=5, ge=0)
    # Messages for one verified citizen an hour, whatever addresses their applications name.
    per_sender_per_hour: int = Field(default=30, ge=1)
    # A mailbox that was refused rarely comes back; a citizen who fixes their address gives the new one.
    bounce_days: int = Field(default=30, ge=0)


class NotifySettings(ServiceSettings):
    notifications: NotificationSettings = Field(default_factory=NotificationSettings)
    smtp: SmtpSettings = Field(default_factory=SmtpSettings)
    sms: SmsSettings = Field(default_factory=SmsSettings)
    webhook: NotifyWebhookSettings = Field(default_factory=NotifyWebhookSettings)
    limits: SendingLimitSettings = Field(default_factory=SendingLimitSettings)

    def check_for(self, env: Environment) -> None:
        super().check_for(env)
        self.smtp.check_for(env)
        self.sms.check_for(env)
        self.webhook.check_for(env)
