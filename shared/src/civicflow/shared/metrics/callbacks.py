"""Gauges read at scrape time from the objects that know the value (a relay's backlog), so that the code that
keeps the value needs no metrics library: a plain callable per label value."""

from collections.abc import Callable, Iterator, Mapping

from prometheus_client import CollectorRegistry
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector


class _CallbackGauges(Collector):
    def __init__(self, name: str, documentation: str, label: str, read: Mapping[str, Callable[[], float]]) -> None:
        self._name, self._documentation, self._label, self._read = name, documentation, label, dict(read)

    def collect(self) -> Iterator[GaugeMetricFamily]:
        family = GaugeMetricFamily(self._name, self._documentation, labels=[self._label])
        for value, read in self._read.items():
            family.add_metric([value], read())
        yield family


def register_gauges(
    registry: CollectorRegistry, name: str, documentation: str, label: str, read: Mapping[str, Callable[[], float]]
) -> None:
    """One gauge family `name`, one series per entry of `read` (label value -> how to read it now)."""
    registry.register(_CallbackGauges(name, documentation, label, read))
