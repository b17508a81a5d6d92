"""Routing's settings."""

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from civicflow.shared.settings import ServiceSettings
from civicflow.shared.topics import ConsumerGroup

SERVICE_NAME = "civicflow-routing"
DEFAULT_DATABASE = "civicflow_routing"
DEFAULT_PORT = 8082
CONSUMER_GROUP = ConsumerGroup.ROUTING


class RoutingDataSettings(BaseSettings):
    """Where the reference data comes from; unset means the small tables bundled with the service."""

    model_config = SettingsConfigDict(env_prefix="ROUTING_", extra="ignore")

    # CSV with the columns plz, ags, ort (others ignored), e.g. the public full table in the format
    # osm_id,ags,ort,plz,landkreis,bundesland.
    postal_table: Path | None = None
    # JSON {"agencies": [...]}, validated on load (domain.registry.Agency).
    agency_registry: Path | None = None


class RoutingSettings(ServiceSettings):
    data: RoutingDataSettings = Field(default_factory=RoutingDataSettings)
