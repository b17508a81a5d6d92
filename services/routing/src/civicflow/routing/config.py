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
    """Where the postal table comes from; unset means the small one bundled with the service. The agency registry
    is read from its topic (adapters.kafka_registry), published with `civicflow agencies publish`."""

    model_config = SettingsConfigDict(env_prefix="ROUTING_", extra="ignore")

    # CSV with the columns plz, ags, ort (others ignored), e.g. the public full table in the format
    # osm_id,ags,ort,plz,landkreis,bundesland.
    postal_table: Path | None = None


class RoutingSettings(ServiceSettings):
    data: RoutingDataSettings = Field(default_factory=RoutingDataSettings)
