"""What the consumers do with each message, per topic and consumer group (civicflow.shared.messaging records it).

The topic is the one the subscription reads (for a family read by pattern, its template): a record that comes
back from a retry topic counts under the topic it first came from. The consumer group is the service's
(`civicflow-routing`), as the dead letters name it. The labels follow OpenTelemetry's messaging attributes."""

import time
from collections.abc import Iterator
from contextlib import contextmanager

from prometheus_client import CollectorRegistry, Counter, Histogram

from civicflow.shared.events.deadletter import DeadLetterReason

LABELS = ["messaging_destination_name", "messaging_consumer_group_name"]
# A handler's time spans a store write (milliseconds) to a provider's answer (seconds, up to its timeout).
DURATION_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)


class ConsumingMetrics:
    def __init__(self, registry: CollectorRegistry) -> None:
        self._processed = Counter(
            "civicflow_messages_processed", "Messages handled successfully", LABELS, registry=registry
        )
        self._retried = Counter(
            "civicflow_messages_retried",
            "Messages set back to a retry topic after a passing failure",
            LABELS,
            registry=registry,
        )
        self._dead_lettered = Counter(
            "civicflow_messages_dead_lettered",
            "Messages given up on, by reason (undecodable, rejected, retries_exhausted)",
            [*LABELS, "reason"],
            registry=registry,
        )
        # OpenTelemetry's messaging.process.duration: one observation per handler call (per event, or per batch
        # handled at once); error_type is empty when the handler succeeded.
        self._duration = Histogram(
            "messaging_process_duration_seconds",
            "Duration of the handler of consumed messages",
            ["messaging_system", *LABELS, "error_type"],
            buckets=DURATION_BUCKETS,
            registry=registry,
        )

    def processed(self, topic: str, group: str, count: int = 1) -> None:
        self._processed.labels(topic, group).inc(count)

    def retried(self, topic: str, group: str) -> None:
        self._retried.labels(topic, group).inc()

    def dead_lettered(self, topic: str, group: str, reason: DeadLetterReason) -> None:
        self._dead_lettered.labels(topic, group, reason.value).inc()

    @contextmanager
    def handling(self, topic: str, group: str) -> Iterator[None]:
        """Times the handler call in the block; an exception out of it is labelled with its type."""
        start, error_type = time.perf_counter(), ""
        try:
            yield
        except BaseException as error:
            error_type = type(error).__name__
            raise
        finally:
            self._duration.labels("kafka", topic, group, error_type).observe(time.perf_counter() - start)
