"""The local stack's trace store: Jaeger started on the layout's ports, and the services pointed at it unless the
environment names an OTLP endpoint of its own."""

from pathlib import Path

import pytest

from civicflow.local.layout import Layout, Ports
from civicflow.local.stack import components, service_environment


def layout(tmp_path: Path, external_traces: str | None = None) -> Layout:
    ports = Ports(jaeger_otlp=14318, jaeger_query=17686)
    return Layout(
        root=Path(__file__).resolve().parents[3], var_dir=tmp_path, ports=ports, external_traces=external_traces
    )


def test_jaeger_runs_on_the_layouts_ports_and_the_services_export_to_it(tmp_path: Path) -> None:
    local = layout(tmp_path)
    jaeger = next(part for part in components(local) if part.name == "jaeger")
    assert jaeger.command[-3:] == [str(local.root / "deploy/local/jaeger/run.sh"), "14318", "17686"]
    assert jaeger.install == ["bash", str(local.root / "deploy/local/jaeger/install.sh")]
    assert service_environment(local)["OTEL_EXPORTER_OTLP_ENDPOINT"] == "http://127.0.0.1:14318"
    assert local.jaeger_query_url == "http://127.0.0.1:17686"


@pytest.mark.parametrize("variable", ["OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"])
def test_an_otlp_endpoint_in_the_environment_is_used_and_no_jaeger_started(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, variable: str
) -> None:
    for name in ("OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv(variable, "http://collector:4318")
    found = Layout.from_environment(var_dir=tmp_path)
    assert found.external_traces == "http://collector:4318"
    assert "jaeger" not in {part.name for part in components(found)}
    assert service_environment(found).get("OTEL_EXPORTER_OTLP_ENDPOINT") == (
        "http://collector:4318" if variable == "OTEL_EXPORTER_OTLP_ENDPOINT" else None
    )
