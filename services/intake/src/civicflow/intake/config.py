"""Intake's settings."""

from civicflow.shared.settings import ServiceSettings
from civicflow.shared.topics import ConsumerGroup

SERVICE_NAME = "civicflow-intake"
DEFAULT_DATABASE = "civicflow_intake"
DEFAULT_PORT = 8080
CONSUMER_GROUP = ConsumerGroup.INTAKE
# A submission is a form and an identity token; attachments arrive with a later, separate upload.
MAX_BODY_BYTES = 1024 * 1024


class IntakeSettings(ServiceSettings):
    max_body_bytes: int = MAX_BODY_BYTES
