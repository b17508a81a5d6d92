"""civicflow_notification_statuses_total: every status a message reaches, per channel, counted as it is published.

A decorator of the publisher that notify's use cases report through, so that they need no metrics library. The
labels are the channel's registered name (`email`, `sms`, `webhook`; `none` for `created`, before a channel is
chosen) and the status (NotificationStatus): bounded, and nothing about the citizen."""

from prometheus_client import CollectorRegistry, Counter
from pydantic import BaseModel

from civicflow.shared.events import CitizenNotified
from civicflow.shared.kafka import EventPublisher

NO_CHANNEL = "none"


class StatusCountingPublisher:
    def __init__(self, publisher: EventPublisher, registry: CollectorRegistry) -> None:
        self._publisher = publisher
        self._statuses = Counter(
            "civicflow_notification_statuses",
            "Statuses the citizens' messages reached (CitizenNotified published), per channel",
            ["channel", "status"],
            registry=registry,
        )

    async def publish(self, topic: str, event: BaseModel, key: str) -> None:
        await self._publisher.publish(topic, event, key)
        if isinstance(event, CitizenNotified):
            self._statuses.labels(event.channel or NO_CHANNEL, event.status.value).inc()
