"""Intake's settings."""

from typing import Annotated

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from civicflow.shared.settings import IdentityProviderSettings, SecretSettings, ServiceSettings
from civicflow.shared.topics import ConsumerGroup

SERVICE_NAME = "civicflow-intake"
DEFAULT_DATABASE = "civicflow_intake"
DEFAULT_PORT = 8080
CONSUMER_GROUP = ConsumerGroup.INTAKE
# A submission is a form and an identity token; attachments arrive with a later, separate upload.
MAX_BODY_BYTES = 1024 * 1024


class IntakeRateLimit(BaseSettings):
    """Submissions per client address (INTAKE_RATE_LIMIT_PER_MINUTE, INTAKE_RATE_LIMIT_BURST), and the pages'
    experience reports per client address, counted apart so that a page reporting its funnel never locks its citizen
    out of submitting (INTAKE_RATE_LIMIT_EXPERIENCE_PER_MINUTE, INTAKE_RATE_LIMIT_EXPERIENCE_BURST); and the agencies'
    attachment fetches per client address (INTAKE_RATE_LIMIT_AGENCY_PER_MINUTE, INTAKE_RATE_LIMIT_AGENCY_BURST)."""

    model_config = SettingsConfigDict(env_prefix="INTAKE_RATE_LIMIT_", extra="ignore")

    per_minute: float = Field(default=30.0, gt=0)
    burst: int = Field(default=10, ge=1)
    # A visit reports a handful of steps, and a failed check per field; one address may be a whole office's NAT.
    experience_per_minute: float = Field(default=120.0, gt=0)
    experience_burst: int = Field(default=60, ge=1)
    # An application has a few attachments at most; an agency's office fetches a morning's applications at once.
    agency_per_minute: float = Field(default=120.0, gt=0)
    agency_burst: int = Field(default=30, ge=1)


class IntakeWeb(BaseSettings):
    """Where the public pages are reached (INTAKE_PUBLIC_URL): the base of their canonical links, their Open Graph
    URLs and the sitemap."""

    model_config = SettingsConfigDict(env_prefix="INTAKE_", extra="ignore")

    public_url: str = Field(default="http://127.0.0.1:8080", pattern=r"^https?://[^\s<>\"']+$")
    # Web origins whose pages may call the API from a browser (INTAKE_CORS_ORIGINS='["https://portal.example"]');
    # none by default: the citizen's pages are served by intake itself.
    cors_origins: tuple[Annotated[str, Field(pattern=r"^https?://[^\s/]+$")], ...] = ()


class IntakeStaff(SecretSettings):
    """The operators' token (INTAKE_OPERATOR_TOKEN, the same secret as insights'), for staff to read the ratings'
    comments; unset, nobody can."""

    model_config = SettingsConfigDict(env_prefix="INTAKE_", extra="ignore")

    operator_token: SecretStr | None = None


class IntakeRetention(BaseSettings):
    """How long intake keeps what a citizen gave with an application once its case closed: their details, the form's
    answers, the attached files (INTAKE_RETENTION_DAYS); and a rating's comment after it was written
    (INTAKE_COMMENT_RETENTION_DAYS). The retention module says why."""

    model_config = SettingsConfigDict(env_prefix="INTAKE_", extra="ignore")

    retention_days: float = Field(default=30.0, gt=0)
    # Staff read the comments by period: a year covers a yearly review.
    comment_retention_days: float = Field(default=365.0, gt=0)


class IntakeSettings(ServiceSettings):
    max_body_bytes: int = MAX_BODY_BYTES
    # The OpenID Connect providers citizens sign in with on the page (IDP_PROVIDERS, or IDP_ISSUER alone; a
    # provider's audience is the client id, the audience identity expects of the ID tokens).
    idp: IdentityProviderSettings = Field(default_factory=IdentityProviderSettings)
    rate_limit: IntakeRateLimit = Field(default_factory=IntakeRateLimit)
    web: IntakeWeb = Field(default_factory=IntakeWeb)
    staff: IntakeStaff = Field(default_factory=IntakeStaff)
    retention: IntakeRetention = Field(default_factory=IntakeRetention)
