"""Identity's settings."""

from pydantic import Field

from civicflow.shared.settings import IdentityProviderSettings, ServiceSettings
from civicflow.shared.topics import ConsumerGroup

SERVICE_NAME = "civicflow-identity"
DEFAULT_DATABASE = "civicflow_identity"
DEFAULT_PORT = 8081
CONSUMER_GROUP = ConsumerGroup.IDENTITY


class IdentitySettings(ServiceSettings):
    idp: IdentityProviderSettings = Field(default_factory=IdentityProviderSettings)
