"""Prometheus metrics, exposed by every service at /metrics (civicflow.shared.app).

One CollectorRegistry per app, never prometheus_client's global one: the composition root makes it and hands it to
the broker (FastStream's KafkaPrometheusMiddleware), the consumers, the HTTP app and the service's own gauges, and
tests build several apps in one process. Names follow a standard where one exists: OpenTelemetry's semantic
conventions for HTTP and messaging (http.server.request.duration becomes http_server_request_duration_seconds, as
OpenTelemetry's Prometheus exporter names it), kafka_exporter's kafka_consumergroup_lag for the lag; the rest are
CivicFlow's own, civicflow_*. Labels are bounded and carry no personal data: route templates, topic names, consumer
groups, channel names, enum values (README, "Metrics")."""

from civicflow.shared.metrics.callbacks import register_gauges
from civicflow.shared.metrics.consuming import ConsumingMetrics
from civicflow.shared.metrics.http import RequestMetrics, request_duration
from civicflow.shared.metrics.lag import ConsumerLag

__all__ = ["ConsumerLag", "ConsumingMetrics", "RequestMetrics", "register_gauges", "request_duration"]
