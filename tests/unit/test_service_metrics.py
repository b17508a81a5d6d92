"""Every service's /metrics, from its own composition root: it parses as Prometheus text and has the families the
README lists (README, "Metrics"), each service's own among them."""

import pytest

from tests.support.metrics import families, total
from tests.support.service_apps import BUILDERS, scraped

EVERY_SERVICE = {
    "http_server_request_duration_seconds",
    "messaging_process_duration_seconds",
    "civicflow_messages_processed",
    "civicflow_messages_retried",
    "civicflow_messages_dead_lettered",
    "kafka_consumergroup_lag",
    # FastStream's Prometheus middleware, on the service's broker
    "faststream_received_messages",
    "faststream_received_processed_messages",
    "faststream_received_processed_messages_duration_seconds",
    "faststream_received_messages_in_process",
    "faststream_published_messages",
}
OWN = {
    "intake": {"civicflow_outbox_backlog"},
    "identity": set(),
    "routing": set(),
    "notify": {"civicflow_notification_statuses"},
}


@pytest.mark.parametrize("service", sorted(BUILDERS))
def test_each_service_serves_its_metrics_as_prometheus_text(service: str) -> None:
    found = families(scraped(service))
    assert EVERY_SERVICE | OWN[service] <= found.keys()
    assert all(found[name].type != "unknown" for name in EVERY_SERVICE | OWN[service])


def test_intake_reports_each_outbox_backlog_before_anything_was_handed_to_it() -> None:
    found = families(scraped("intake"))
    assert total(found, "civicflow_outbox_backlog", outbox="submissions") == 0
    assert {point.labels["outbox"] for point in found["civicflow_outbox_backlog"].samples} == {"submissions", "ratings"}
