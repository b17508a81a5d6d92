"""A service's /metrics read as Prometheus reads it: the text exposition, parsed by prometheus_client's parser."""

from collections.abc import Mapping

from prometheus_client.metrics_core import Metric
from prometheus_client.parser import text_string_to_metric_families


def families(exposition: str) -> dict[str, Metric]:
    """Every metric family of the exposition by name (a counter's without its `_total`); a ValueError where the
    text does not parse."""
    return {family.name: family for family in text_string_to_metric_families(exposition)}


def total(found: Mapping[str, Metric], sample: str, **labels: str) -> float:
    """The sum of the samples called `sample` whose labels include `labels`; 0 when there is none."""
    return sum(
        point.value
        for family in found.values()
        for point in family.samples
        if point.name == sample and labels.items() <= point.labels.items()
    )
