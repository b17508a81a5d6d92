"""Notify's settings."""

from pydantic import Field

from civicflow.shared.settings import ServiceSettings, SmtpSettings

SERVICE_NAME = "civicflow-notify"
DEFAULT_DATABASE = "civicflow_notify"
DEFAULT_PORT = 8083
CONSUMER_GROUP = "civicflow-notify"


class NotifySettings(ServiceSettings):
    smtp: SmtpSettings = Field(default_factory=SmtpSettings)
