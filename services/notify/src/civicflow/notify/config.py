"""Notify's settings."""

from pydantic import Field

from civicflow.shared.settings import ServiceSettings, SmtpSettings
from civicflow.shared.topics import ConsumerGroup

SERVICE_NAME = "civicflow-notify"
DEFAULT_DATABASE = "civicflow_notify"
DEFAULT_PORT = 8083
CONSUMER_GROUP = ConsumerGroup.NOTIFY


class NotifySettings(ServiceSettings):
    smtp: SmtpSettings = Field(default_factory=SmtpSettings)
