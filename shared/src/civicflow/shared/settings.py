"""Settings, one class per concern, read from the conventional environment variables."""

from typing import Literal

from pydantic import BaseModel, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

Environment = Literal["dev", "test", "prod"]


class KafkaSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="KAFKA_", extra="ignore")

    bootstrap_servers: str = "127.0.0.1:9092"


class MongoSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="MONGODB_", extra="ignore")

    uri: SecretStr = SecretStr("mongodb://127.0.0.1:27017")
    # Each service has its own database; unset means the service's default name.
    database: str | None = None

    def database_or(self, default: str) -> str:
        return self.database or default


class HttpSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="HTTP_", extra="ignore")

    host: str = "127.0.0.1"
    port: int | None = None

    def port_or(self, default: int) -> int:
        return self.port or default


class RuntimeSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CIVICFLOW_", extra="ignore")

    env: Environment = "dev"


# The placeholder the compose file and the Kubernetes base ship with; a real deployment replaces it.
PLACEHOLDER_SECRETS = frozenset({"dev-only-not-a-secret"})


class SmtpSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SMTP_", extra="ignore")

    host: str = "127.0.0.1"
    port: int = 1025
    sender: str = Field(default="CivicFlow <no-reply@civicflow.localhost>", alias="SMTP_FROM")
    username: str | None = None
    password: SecretStr | None = None
    starttls: bool = False
    timeout_seconds: float = 10.0

    def check_for(self, env: Environment) -> None:
        # OWASP ASVS 2.10.4 / CWE-798: no shipped default credential may be used in production.
        if env == "prod" and self.password is not None and self.password.get_secret_value() in PLACEHOLDER_SECRETS:
            raise ValueError("SMTP_PASSWORD is the shipped placeholder: set the real secret")


class IdentityProviderSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="IDP_", extra="ignore")

    issuer: str = "http://127.0.0.1:8090"
    jwks_url: str = "http://127.0.0.1:8090/.well-known/jwks.json"
    audience: str = "civicflow"

    def check_for(self, env: Environment) -> None:
        # A signing key fetched over plain HTTP can be swapped in transit (OWASP ASVS 9.2): dev only.
        if env == "prod" and not self.jwks_url.startswith("https://"):
            raise ValueError("IDP_JWKS_URL must use https outside dev")


class ServiceSettings(BaseModel):
    """What every service is configured with; each service's settings add their own concerns."""

    kafka: KafkaSettings = Field(default_factory=KafkaSettings)
    mongo: MongoSettings = Field(default_factory=MongoSettings)
    http: HttpSettings = Field(default_factory=HttpSettings)
    runtime: RuntimeSettings = Field(default_factory=RuntimeSettings)
