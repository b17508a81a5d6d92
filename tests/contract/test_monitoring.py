"""The compose stack's monitoring files (deploy/prometheus, deploy/grafana) agree with the services and with
Grafana's dashboard schema: Prometheus scrapes every compose service that serves HTTP, at its port; the dashboard
has no field Grafana's schema does not know (it survives a round trip through the models the Grafana Foundation SDK
generates from that schema unchanged), reads the provisioned data source, and queries only metrics the services
export."""

import json
import re
from pathlib import Path
from typing import Any

import yaml
from grafana_foundation_sdk.cog.encoder import JSONEncoder
from grafana_foundation_sdk.cog.plugins import register_default_plugins
from grafana_foundation_sdk.models.dashboard import Dashboard

from tests.support.metrics import families
from tests.support.service_apps import BUILDERS, scraped

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = ROOT / "docker-compose.yml"
SCRAPE_CONFIG = ROOT / "deploy" / "prometheus" / "prometheus.yml"
GRAFANA = ROOT / "deploy" / "grafana"
DASHBOARDS = sorted((GRAFANA / "dashboards").glob("*.json"))
# What the dashboard's queries may call besides metrics.
PROMQL_WORDS = {"sum", "by", "rate", "increase", "histogram_quantile"}
SUFFIXES = {"counter": ("_total",), "histogram": ("_bucket", "_count", "_sum"), "gauge": ("",)}


def load_yaml(path: Path) -> Any:
    return yaml.safe_load(path.read_text())


def http_services() -> dict[str, str]:
    """Each compose service that serves HTTP (its HTTP_PORT), as Prometheus reaches it on the compose network."""
    services = load_yaml(COMPOSE)["services"]
    return {
        name: f"{name}:{service['environment']['HTTP_PORT']}"
        for name, service in services.items()
        if "HTTP_PORT" in (service.get("environment") or {})
    }


def test_prometheus_scrapes_every_service_that_serves_http_at_its_metrics() -> None:
    jobs = load_yaml(SCRAPE_CONFIG)["scrape_configs"]
    targets = {
        job["job_name"]: [target for static in job["static_configs"] for target in static["targets"]] for job in jobs
    }
    assert len(targets) == len(jobs)  # job names are unique
    assert all(job.get("metrics_path", "/metrics") == "/metrics" for job in jobs)
    assert targets == {name: [target] for name, target in http_services().items()}
    assert set(BUILDERS) <= targets.keys()


def test_compose_mounts_the_scrape_config_and_grafanas_provisioning() -> None:
    services = load_yaml(COMPOSE)["services"]
    assert "./deploy/prometheus/prometheus.yml:/etc/prometheus/prometheus.yml:ro" in services["prometheus"]["volumes"]
    mounts = dict(volume.rsplit(":", 2)[:2] for volume in services["grafana"]["volumes"] if volume.startswith("./"))
    assert mounts["./deploy/grafana/provisioning"] == "/etc/grafana/provisioning"
    (provider,) = load_yaml(GRAFANA / "provisioning" / "dashboards" / "civicflow.yml")["providers"]
    assert mounts["./deploy/grafana/dashboards"] == provider["options"]["path"]


def unknown_fields(written: Any, read_back: Any, path: str = "$") -> list[str]:
    """Where `written` has a key or value that the model read back lost or changed."""
    if isinstance(written, dict):
        if not isinstance(read_back, dict):
            return [f"{path}: not an object in the schema"]
        return [
            found
            for key, value in written.items()
            for found in (
                unknown_fields(value, read_back[key], f"{path}.{key}")
                if key in read_back
                else [f"{path}.{key}: not in the schema"]
            )
        ]
    if isinstance(written, list):
        if not isinstance(read_back, list) or len(read_back) != len(written):
            return [f"{path}: not a list of the same length in the schema"]
        return [
            found
            for i, pair in enumerate(zip(written, read_back, strict=True))
            for found in unknown_fields(*pair, f"{path}[{i}]")
        ]
    return [] if written == read_back else [f"{path}: {written!r} read back as {read_back!r}"]


def test_the_dashboards_hold_only_what_grafanas_dashboard_schema_knows() -> None:
    register_default_plugins()  # the panel and query types (timeseries, prometheus, ...) and their options
    assert DASHBOARDS
    for path in DASHBOARDS:
        written = json.loads(path.read_text())
        read_back = json.loads(JSONEncoder().encode(Dashboard.from_json(written)))
        assert unknown_fields(written, read_back) == [], path.name


def panels(dashboard: dict[str, Any]) -> list[dict[str, Any]]:
    return [panel for panel in dashboard["panels"] if panel["type"] != "row"]


def test_the_dashboards_read_the_provisioned_prometheus() -> None:
    (source,) = load_yaml(GRAFANA / "provisioning" / "datasources" / "prometheus.yml")["datasources"]
    assert source["url"] == "http://prometheus:9090"
    for path in DASHBOARDS:
        for panel in panels(json.loads(path.read_text())):
            references = [panel["datasource"], *(target["datasource"] for target in panel["targets"])]
            assert all(ref == {"type": "prometheus", "uid": source["uid"]} for ref in references), panel["title"]


def exported() -> set[str]:
    """Every series name a service exports: each family's samples, as its type names them."""
    return {
        family.name + suffix
        for service in BUILDERS
        for family in families(scraped(service)).values()
        for suffix in SUFFIXES.get(family.type, ("",))
    }


def metrics_queried(expr: str) -> set[str]:
    """The names in a query that are neither a label (grouped by, or matched in braces), a string, a variable nor
    one of PROMQL_WORDS."""
    bare = re.sub(r'"[^"]*"|\{[^}]*\}|\bby\s*\([^)]*\)|\$\w+', " ", expr)
    return set(re.findall(r"[A-Za-z_:][A-Za-z0-9_:]*", bare)) - PROMQL_WORDS


def test_the_dashboards_query_only_metrics_the_services_export() -> None:
    names = exported()
    for path in DASHBOARDS:
        for panel in panels(json.loads(path.read_text())):
            for target in panel["targets"]:
                assert metrics_queried(target["expr"]) <= names, (panel["title"], target["expr"])
