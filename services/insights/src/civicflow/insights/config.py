"""Insights' settings."""

from pydantic import Field, SecretStr
from pydantic_settings import SettingsConfigDict

from civicflow.shared.settings import Environment, SecretSettings, ServiceSettings, is_placeholder
from civicflow.shared.topics import ConsumerGroup

SERVICE_NAME = "civicflow-insights"
DEFAULT_DATABASE = "civicflow_insights"
DEFAULT_PORT = 8084
CONSUMER_GROUP = ConsumerGroup.INSIGHTS


class InsightsApiSettings(SecretSettings):
    """Who may read the insights, and the targets they are measured against."""

    model_config = SettingsConfigDict(env_prefix="INSIGHTS_", extra="ignore")

    # The operators' bearer token for /v1/insights (RFC 6750); unset, those answer 401 to everyone.
    operator_token: SecretStr | None = None
    # How long deciding an application should take, in days: 30 by default, well inside the three months after
    # which a citizen may sue for a decision not taken (VwGO §75); per service as
    # INSIGHTS_TARGET_DAYS_BY_SERVICE='{"99050012104000": 14}'.
    target_days: float = Field(default=30.0, gt=0)
    target_days_by_service: dict[str, float] = Field(default_factory=dict)
    # Jaeger's query API, where the operator page finds an application's trace (INSIGHTS_TRACE_STORE_URL); unset,
    # that page says there is no trace store.
    trace_store_url: str | None = None

    def check_for(self, env: Environment) -> None:
        # OWASP ASVS 2.10.4 / CWE-798: no shipped default credential outside dev.
        if env != "dev" and (self.operator_token is None or is_placeholder(self.operator_token)):
            raise ValueError("INSIGHTS_OPERATOR_TOKEN is unset or the shipped placeholder: set the real secret")


class InsightsSettings(ServiceSettings):
    api: InsightsApiSettings = Field(default_factory=InsightsApiSettings)

    def check_for(self, env: Environment) -> None:
        super().check_for(env)
        self.api.check_for(env)
