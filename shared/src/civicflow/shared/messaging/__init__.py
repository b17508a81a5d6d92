"""The one way to consume: typed batch subscribers that de-duplicate, classify every failure, retry on retry
topics without blocking a partition, dead-letter with the reason, and commit only what is settled."""

from civicflow.shared.messaging.consumers import Consumers
from civicflow.shared.messaging.failures import PermanentFailure, StoreUnavailable, TransientFailure
from civicflow.shared.messaging.processed import MongoProcessedEvents, ProcessedEvents
from civicflow.shared.messaging.subscription import Subscription

__all__ = [
    "Consumers",
    "MongoProcessedEvents",
    "PermanentFailure",
    "ProcessedEvents",
    "StoreUnavailable",
    "Subscription",
    "TransientFailure",
]
