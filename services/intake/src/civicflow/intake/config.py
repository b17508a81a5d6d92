"""Intake's settings."""

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from civicflow.shared.settings import ServiceSettings
from civicflow.shared.topics import ConsumerGroup

SERVICE_NAME = "civicflow-intake"
DEFAULT_DATABASE = "civicflow_intake"
DEFAULT_PORT = 8080
CONSUMER_GROUP = ConsumerGroup.INTAKE
# A submission is a form and an identity token; attachments arrive with a later, separate upload.
MAX_BODY_BYTES = 1024 * 1024


class IntakeRateLimit(BaseSettings):
    """Submissions per client address (INTAKE_RATE_LIMIT_PER_MINUTE, INTAKE_RATE_LIMIT_BURST)."""

    model_config = SettingsConfigDict(env_prefix="INTAKE_RATE_LIMIT_", extra="ignore")

    per_minute: float = Field(default=30.0, gt=0)
    burst: int = Field(default=10, ge=1)


class IntakeSettings(ServiceSettings):
    max_body_bytes: int = MAX_BODY_BYTES
    rate_limit: IntakeRateLimit = Field(default_factory=IntakeRateLimit)
