"""Settings, one class per concern, read from the conventional environment variables, and secrets also from
files: where CIVICFLOW_SECRETS_DIR names a directory (a mounted Kubernetes Secret, compose's /run/secrets), a
file there named like the variable in lower case (kafka_sasl_password) gives its value."""

import os
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, Field, SecretStr, field_validator, model_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SecretsSettingsSource,
    SettingsConfigDict,
)

from civicflow.shared.identity_providers import DisplayName, IdentityProvider
from civicflow.shared.topics import RETRY_STAGES

Environment = Literal["dev", "test", "prod"]
SECRETS_DIR = "CIVICFLOW_SECRETS_DIR"
# The placeholder the compose file and the Kubernetes base ship with; a real deployment replaces it.
PLACEHOLDER_SECRETS = frozenset({"dev-only-not-a-secret"})


class SecretSettings(BaseSettings):
    """Settings that may come from the environment or from files in CIVICFLOW_SECRETS_DIR (the environment wins)."""

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        secrets_dir = os.environ.get(SECRETS_DIR)
        files = (SecretsSettingsSource(settings_cls, secrets_dir=secrets_dir),) if secrets_dir else ()
        return (init_settings, env_settings, *files)


def is_placeholder(secret: SecretStr | None) -> bool:
    return secret is not None and secret.get_secret_value() in PLACEHOLDER_SECRETS


KafkaSecurity = Literal["PLAINTEXT", "SASL_PLAINTEXT", "SASL_SSL"]


class KafkaSettings(SecretSettings):
    model_config = SettingsConfigDict(env_prefix="KAFKA_", extra="ignore")

    bootstrap_servers: str = "127.0.0.1:9092"
    # SASL/SCRAM-SHA-512 as this service's own principal; over TLS (SASL_SSL) everywhere but on loopback.
    security_protocol: KafkaSecurity = "PLAINTEXT"
    sasl_username: str | None = None
    sasl_password: SecretStr | None = None
    # The CA that signed the brokers' certificates, when it is not one the system trusts.
    ssl_cafile: Path | None = None

    @model_validator(mode="after")
    def _credentials_for_sasl(self) -> "KafkaSettings":
        if self.security_protocol != "PLAINTEXT" and not (self.sasl_username and self.sasl_password):
            raise ValueError(
                f"KAFKA_SECURITY_PROTOCOL={self.security_protocol} needs KAFKA_SASL_USERNAME and _PASSWORD"
            )
        return self

    def check_for(self, env: Environment) -> None:
        # Outside dev, no client talks to Kafka unauthenticated or in clear (OWASP ASVS 9.2.2, 2.10.4).
        if env != "dev" and self.security_protocol != "SASL_SSL":
            raise ValueError("KAFKA_SECURITY_PROTOCOL must be SASL_SSL outside dev")
        if env != "dev" and is_placeholder(self.sasl_password):
            raise ValueError("KAFKA_SASL_PASSWORD is the shipped placeholder: set the real secret")


class MongoSettings(SecretSettings):
    model_config = SettingsConfigDict(env_prefix="MONGODB_", extra="ignore")

    # With this service's own credentials, which reach its own database only.
    uri: SecretStr = SecretStr("mongodb://127.0.0.1:27017")
    # Each service has its own database; unset means the service's default name.
    database: str | None = None

    def database_or(self, default: str) -> str:
        return self.database or default

    def check_for(self, env: Environment) -> None:
        parts = urlsplit(self.uri.get_secret_value())
        if env != "dev" and not parts.username:
            raise ValueError("MONGODB_URI carries no credentials: every service connects as its own user")
        if env != "dev" and is_placeholder(SecretStr(parts.password or "")):
            raise ValueError("MONGODB_URI holds the shipped placeholder password: set the real secret")


class HttpSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="HTTP_", extra="ignore")

    host: str = "127.0.0.1"
    port: int | None = None

    def port_or(self, default: int) -> int:
        return self.port or default


class RuntimeSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CIVICFLOW_", extra="ignore")

    env: Environment = "dev"


class TracingSettings(BaseSettings):
    """What the spans cover beyond the pipeline's steps (telemetry.configure_tracing)."""

    model_config = SettingsConfigDict(env_prefix="CIVICFLOW_TRACE_", extra="ignore")

    # A span per store command (PyMongo's instrumentation: command names, no documents). Off unless asked for:
    # with it every service spent 4-9 % of its CPU in PyMongo's command events and a third of all spans exported
    # were store commands (docs/benchmarks.md, issue 11). The step spans include the store's time either way;
    # CIVICFLOW_TRACE_STORE_COMMANDS=true splits it into commands while a slow store is looked into.
    store_commands: bool = False


class FieldKeySettings(SecretSettings):
    """The keys for personal data on internal topics (civicflow.shared.security.keys), CIVICFLOW_KEYS_<NAME>."""

    model_config = SettingsConfigDict(env_prefix="CIVICFLOW_KEYS_", extra="ignore")

    applicant: SecretStr | None = None
    identity_token: SecretStr | None = None
    contact: SecretStr | None = None
    pseudonym: SecretStr | None = None
    agency_pseudonym: SecretStr | None = None
    profile: SecretStr | None = None
    correspondence: SecretStr | None = None

    def check_for(self, env: Environment) -> None:
        for name, value in self:
            if env != "dev" and is_placeholder(value):
                raise ValueError(f"CIVICFLOW_KEYS_{name.upper()} is the shipped placeholder: set the real key")


class SmtpSettings(SecretSettings):
    model_config = SettingsConfigDict(env_prefix="SMTP_", extra="ignore")

    host: str = "127.0.0.1"
    port: int = 1025
    sender: str = Field(default="CivicFlow <no-reply@civicflow.localhost>", alias="SMTP_FROM")
    username: str | None = None
    password: SecretStr | None = None
    starttls: bool = False
    timeout_seconds: float = 10.0
    # Connections kept open and reused; also how many mails are sent at the same time.
    connections: int = Field(default=4, ge=1)

    def check_for(self, env: Environment) -> None:
        # OWASP ASVS 2.10.4 / CWE-798: no shipped default credential may be used in production.
        if env != "dev" and is_placeholder(self.password):
            raise ValueError("SMTP_PASSWORD is the shipped placeholder: set the real secret")


def _http_url(url: str | None, variable: str) -> str | None:
    if url is not None and urlsplit(url).scheme not in ("http", "https"):
        raise ValueError(f"{variable} must be an http(s) URL")
    return url


def _https_outside_dev(url: str | None, variable: str, env: Environment) -> None:
    # The citizen's contact and the message travel in the request (OWASP ASVS 9.1.1): TLS outside dev.
    if env != "dev" and url is not None and urlsplit(url).scheme != "https":
        raise ValueError(f"{variable} must use https outside dev")


class SmsSettings(SecretSettings):
    """SMS through a provider's HTTP API: notify's "sms" channel, there only where SMS_URL is set."""

    model_config = SettingsConfigDict(env_prefix="SMS_", extra="ignore")

    url: str | None = None
    # Sent as `Authorization: Bearer <token>`; with SMS_USERNAME, as the password of HTTP Basic (RFC 7617).
    token: SecretStr | None = None
    username: str | None = None
    timeout_seconds: float = Field(default=10.0, gt=0)

    @model_validator(mode="after")
    def _url_and_credentials(self) -> "SmsSettings":
        _http_url(self.url, "SMS_URL")
        if self.username and not self.token:
            raise ValueError("SMS_USERNAME needs SMS_TOKEN (the password)")
        return self

    def check_for(self, env: Environment) -> None:
        _https_outside_dev(self.url, "SMS_URL", env)
        if env != "dev" and is_placeholder(self.token):
            raise ValueError("SMS_TOKEN is the shipped placeholder: set the real secret")


class NotifyWebhookSettings(SecretSettings):
    """A citizen's mailbox at a portal (a BundID-style Postfach): notify's "webhook" channel, there only where
    NOTIFY_WEBHOOK_URL is set. Requests are signed as the agency kit's webhooks are (civicflow_agency.signature)."""

    model_config = SettingsConfigDict(env_prefix="NOTIFY_WEBHOOK_", extra="ignore")

    url: str | None = None
    secret: SecretStr | None = None
    # During a rotation, the secret being replaced: requests carry a signature with each, so the portal may
    # switch to the new secret before or after us.
    previous_secret: SecretStr | None = None
    timeout_seconds: float = Field(default=10.0, gt=0)

    @model_validator(mode="after")
    def _url_and_secret(self) -> "NotifyWebhookSettings":
        _http_url(self.url, "NOTIFY_WEBHOOK_URL")
        if self.url and not self.secret:
            raise ValueError("NOTIFY_WEBHOOK_URL needs NOTIFY_WEBHOOK_SECRET: the portal must be able to check us")
        if self.previous_secret and not self.secret:
            raise ValueError("NOTIFY_WEBHOOK_PREVIOUS_SECRET needs NOTIFY_WEBHOOK_SECRET")
        return self

    def signing_secrets(self) -> list[str]:
        """The current secret first, then the previous one during a rotation."""
        return [secret.get_secret_value() for secret in (self.secret, self.previous_secret) if secret]

    def check_for(self, env: Environment) -> None:
        _https_outside_dev(self.url, "NOTIFY_WEBHOOK_URL", env)
        for name, secret in (("SECRET", self.secret), ("PREVIOUS_SECRET", self.previous_secret)):
            if env != "dev" and is_placeholder(secret):
                raise ValueError(f"NOTIFY_WEBHOOK_{name} is the shipped placeholder: set the real secret")


class IdentityProviderSettings(BaseSettings):
    """The identity providers (civicflow.shared.identity_providers): IDP_PROVIDERS, a JSON list of them, or where it
    is unset one provider named "default" from IDP_ISSUER, IDP_JWKS_URL, IDP_AUDIENCE and IDP_DISPLAY_NAME."""

    model_config = SettingsConfigDict(env_prefix="IDP_", extra="ignore")

    issuer: str = "http://127.0.0.1:8090"
    jwks_url: str = "http://127.0.0.1:8090/.well-known/jwks.json"
    audience: str = "civicflow"
    # How the citizen knows it ({"de": …, "en": …}), on the sign-in button and their profile.
    display_name: DisplayName | None = None
    providers: tuple[IdentityProvider, ...] = ()

    @model_validator(mode="after")
    def _default_and_unique(self) -> "IdentityProviderSettings":
        if not self.providers:
            default = IdentityProvider(
                name="default",
                issuer=self.issuer,
                jwks_url=self.jwks_url,
                audience=self.audience,
                display_name=self.display_name,
            )
            self.providers = (default,)
        for attribute in ("name", "issuer"):
            values = [getattr(provider, attribute) for provider in self.providers]
            if len(set(values)) != len(values):
                raise ValueError(f"IDP_PROVIDERS: each provider needs its own {attribute}")
        return self

    def named(self, name: str) -> IdentityProvider | None:
        return next((provider for provider in self.providers if provider.name == name), None)

    def check_for(self, env: Environment) -> None:
        for provider in self.providers:
            provider.check_for(env)


class MessagingSettings(BaseSettings):
    """How every consumer reads: batch sizes, the retry schedule, how long bookkeeping is kept."""

    model_config = SettingsConfigDict(env_prefix="CIVICFLOW_", extra="ignore")

    # Delay before each retry of a message that failed for a passing reason; after the last, it is dead-lettered.
    # One entry per retry stage (at most topics.RETRY_STAGES), e.g. CIVICFLOW_RETRY_DELAYS_SECONDS='[10, 60]'.
    retry_delays_seconds: tuple[float, ...] = (10.0, 60.0, 600.0, 3600.0)
    # Retries in all; unset, one per delay. More retries than delays repeat the last stage (its delay, its topic),
    # so four retry topics can carry a schedule over hours: [30, 300, 1800, 3600] with 10 retries waits 1 h
    # for each of the last seven.
    retry_attempts: int | None = Field(default=None, ge=1)
    # Each delay is multiplied by a random factor in [1 - jitter, 1 + jitter] (see settling.py).
    retry_jitter: float = Field(default=0.2, ge=0, lt=1)
    batch_max_records: int = Field(default=250, ge=1, le=1000)
    batch_timeout_ms: int = Field(default=100, ge=1)
    # How long the broker holds a fetch that finds nothing new (a long poll: it answers at once when a record
    # comes). Every subscription is a consumer of its own, so at aiokafka's 500 ms an idle stack kept the broker
    # busy answering empty fetches. It is also how long a record may wait: while a fetch is out, aiokafka asks for
    # no partition that fetch left out (one whose records were still being handled when it was sent), so a record
    # that comes there waits until the other partitions get one, or this time passes: now and then the last
    # applications of a benchmark run arrive up to 5 s late. At 1 s the idle stack took 0.18 cores instead of 0.15
    # and the benchmark was no faster (docs/benchmarks.md, issue 11).
    fetch_max_wait_ms: int = Field(default=5000, ge=1, le=30000)
    # Events of one batch handled at the same time (events with the same key always one after the other).
    concurrency: int = Field(default=32, ge=1)
    # One event that takes longer than this failed for a passing reason: it must never hold up its partition.
    handler_timeout_seconds: float = Field(default=30.0, gt=0)
    # How long processed-event ids are remembered: longer than any redelivery or replay of an event.
    processed_retention_days: float = Field(default=14.0, gt=0)

    @field_validator("retry_delays_seconds")
    @classmethod
    def _fits_the_retry_topics(cls, delays: tuple[float, ...]) -> tuple[float, ...]:
        if not 1 <= len(delays) <= RETRY_STAGES or min(delays) < 0:
            raise ValueError(f"give 1 to {RETRY_STAGES} delays of 0 s or more")
        return delays

    @model_validator(mode="after")
    def _a_retry_per_delay_at_least(self) -> "MessagingSettings":
        if self.retry_attempts is not None and self.retry_attempts < len(self.retry_delays_seconds):
            raise ValueError(
                f"CIVICFLOW_RETRY_ATTEMPTS={self.retry_attempts} leaves retry stages unused: "
                f"give at least {len(self.retry_delays_seconds)}, one per delay, or fewer delays"
            )
        return self

    @property
    def retries(self) -> int:
        """How many times a message that keeps failing for a passing reason is retried before its dead letter."""
        return len(self.retry_delays_seconds) if self.retry_attempts is None else self.retry_attempts

    def retry_stage(self, retry: int) -> int:
        """The stage (retry topic and delay) of the `retry`-th retry, counted from 1: the last serves all after it."""
        return min(retry, len(self.retry_delays_seconds))


class ServiceSettings(BaseModel):
    """What every service is configured with; each service's settings add their own concerns."""

    kafka: KafkaSettings = Field(default_factory=KafkaSettings)
    mongo: MongoSettings = Field(default_factory=MongoSettings)
    http: HttpSettings = Field(default_factory=HttpSettings)
    runtime: RuntimeSettings = Field(default_factory=RuntimeSettings)
    messaging: MessagingSettings = Field(default_factory=MessagingSettings)
    keys: FieldKeySettings = Field(default_factory=FieldKeySettings)

    def check_for(self, env: Environment) -> None:
        """Refuse to start outside dev with a connection in clear, without credentials, or with a placeholder."""
        self.kafka.check_for(env)
        self.mongo.check_for(env)
        self.keys.check_for(env)
