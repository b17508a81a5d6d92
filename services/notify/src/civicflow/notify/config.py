"""Notify's settings."""

from pydantic import Field

from civicflow.shared.settings import (
    Environment,
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


class NotifySettings(ServiceSettings):
    smtp: SmtpSettings = Field(default_factory=SmtpSettings)
    sms: SmsSettings = Field(default_factory=SmsSettings)
    webhook: NotifyWebhookSettings = Field(default_factory=NotifyWebhookSettings)

    def check_for(self, env: Environment) -> None:
        super().check_for(env)
        self.smtp.check_for(env)
        self.sms.check_for(env)
        self.webhook.check_for(env)
