"""Identity's subscription: every received submission is verified once."""

from civicflow.identity.domain.assertion import Expectations
from civicflow.identity.handlers import SigningKeys, verify_submission
from civicflow.shared import topics
from civicflow.shared.events import SubmissionReceived
from civicflow.shared.kafka import EventPublisher
from civicflow.shared.messaging import Consumers, Subscription


def register_subscribers(
    consumers: Consumers,
    keys: SigningKeys,
    expected: Expectations,
    publisher: EventPublisher,
) -> None:
    async def on_submission_received(event: SubmissionReceived) -> None:
        await verify_submission(event, keys, expected, publisher)

    consumers.subscribe(
        Subscription(
            topics.SUBMISSION_RECEIVED, SubmissionReceived, on_submission_received, processed=consumers.processed
        )
    )
