"""Identity's settings."""

from pydantic import BaseModel, Field

from civicflow.shared.settings import (
    HttpSettings,
    IdentityProviderSettings,
    KafkaSettings,
    MongoSettings,
    RuntimeSettings,
)

SERVICE_NAME = "civicflow-identity"
DEFAULT_DATABASE = "civicflow_identity"
DEFAULT_PORT = 8081
CONSUMER_GROUP = "civicflow-identity"


class IdentitySettings(BaseModel):
    kafka: KafkaSettings = Field(default_factory=KafkaSettings)
    mongo: MongoSettings = Field(default_factory=MongoSettings)
    http: HttpSettings = Field(default_factory=HttpSettings)
    runtime: RuntimeSettings = Field(default_factory=RuntimeSettings)
    idp: IdentityProviderSettings = Field(default_factory=IdentityProviderSettings)
