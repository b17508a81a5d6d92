"""kafka_consumergroup_lag (kafka_exporter's name and labels): how many records each partition a subscriber of
this service holds has beyond the consumer's position, per consumer group, topic and partition.

Computed at scrape time (`measure`, awaited by the /metrics route before it renders), from what aiokafka keeps in
memory: the partition's highwater offset, as the last fetch response reported it, minus the consumer's position
(the next offset it will fetch). A scrape sends no request to Kafka. The highwater is as fresh as the last fetch
(at most a fetch wait old while the consumer polls). Records fetched but not yet settled (a batch being handled, or
held while the store is down) are not lag here; faststream_received_messages_in_process counts those. A partition
not fetched from yet (no highwater) or whose position is being reset has no series; after a rebalance only the
partitions this instance holds are reported, so a group's lag is the sum over its instances."""

import asyncio

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.errors import IllegalStateError
from faststream.kafka import KafkaBroker
from prometheus_client import CollectorRegistry, Gauge

POSITION_WAIT_SECONDS = 0.05


class ConsumerLag:
    def __init__(self, broker: KafkaBroker, registry: CollectorRegistry) -> None:
        self._broker = broker
        self._lag = Gauge(
            "kafka_consumergroup_lag",
            "Records on the partition after the consumer's position (highwater of the last fetch minus position)",
            ["consumergroup", "topic", "partition"],
            registry=registry,
        )

    async def measure(self) -> None:
        found: dict[tuple[str, str, str], int] = {}
        for subscriber in self._broker.subscribers:
            consumer: AIOKafkaConsumer | None = getattr(subscriber, "consumer", None)
            group = getattr(subscriber, "group_id", None)
            if consumer is not None and group:
                found |= {(group, tp.topic, str(tp.partition)): lag for tp, lag in (await _lag(consumer)).items()}
        self._lag.clear()  # partitions revoked since the last scrape go
        for labels, lag in found.items():
            self._lag.labels(*labels).set(lag)


async def _lag(consumer: AIOKafkaConsumer) -> dict[TopicPartition, int]:
    # Every highwater first, with no await between: the assignment cannot change meanwhile.
    highwaters = {tp: consumer.highwater(tp) for tp in consumer.assignment()}
    found = {}
    for partition, highwater in highwaters.items():
        if highwater is None:
            continue
        try:  # known, it is answered at once; a position being reset is not waited for
            position = await asyncio.wait_for(consumer.position(partition), POSITION_WAIT_SECONDS)
        except (TimeoutError, IllegalStateError):  # being reset, or revoked meanwhile
            continue
        found[partition] = max(0, highwater - position)
    return found
