"""Notify's settings."""

from pydantic import BaseModel, Field

from civicflow.shared.settings import (
    HttpSettings,
    KafkaSettings,
    MongoSettings,
    RuntimeSettings,
    SmtpSettings,
)

SERVICE_NAME = "civicflow-notify"
DEFAULT_DATABASE = "civicflow_notify"
DEFAULT_PORT = 8083
CONSUMER_GROUP = "civicflow-notify"


class NotifySettings(BaseModel):
    kafka: KafkaSettings = Field(default_factory=KafkaSettings)
    mongo: MongoSettings = Field(default_factory=MongoSettings)
    http: HttpSettings = Field(default_factory=HttpSettings)
    runtime: RuntimeSettings = Field(default_factory=RuntimeSettings)
    smtp: SmtpSettings = Field(default_factory=SmtpSettings)
