"""Identity's subscription: every received submission is verified once."""

from civicflow.identity.handlers import Verifier, verify_submission
from civicflow.shared import topics
from civicflow.shared.events import SubmissionReceived
from civicflow.shared.kafka import EventPublisher
from civicflow.shared.messaging import Consumers, Subscription


def register_subscribers(
    consumers: Consumers,
    verifier: Verifier,
    publisher: EventPublisher,
) -> None:
    async def on_submission_received(event: SubmissionReceived) -> None:
        await verify_submission(event, verifier, publisher)

    consumers.subscribe(
        Subscription(
            topics.SUBMISSION_RECEIVED, SubmissionReceived, on_submission_received, processed=consumers.processed
        )
    )
