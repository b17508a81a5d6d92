"""Intake's settings."""

from pydantic import BaseModel, Field

from civicflow.shared.settings import HttpSettings, KafkaSettings, MongoSettings, RuntimeSettings

SERVICE_NAME = "civicflow-intake"
DEFAULT_DATABASE = "civicflow_intake"
DEFAULT_PORT = 8080
CONSUMER_GROUP = "civicflow-intake"
# A submission is a form and an identity token; attachments arrive with a later, separate upload.
MAX_BODY_BYTES = 1024 * 1024


class IntakeSettings(BaseModel):
    kafka: KafkaSettings = Field(default_factory=KafkaSettings)
    mongo: MongoSettings = Field(default_factory=MongoSettings)
    http: HttpSettings = Field(default_factory=HttpSettings)
    runtime: RuntimeSettings = Field(default_factory=RuntimeSettings)
    max_body_bytes: int = MAX_BODY_BYTES
