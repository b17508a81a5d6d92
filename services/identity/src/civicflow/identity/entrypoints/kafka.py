"""Identity's subscriptions: every received submission is verified once; the citizen's changes to their profile
and its erasure are applied."""

from civicflow.identity.handlers import Verifier, change_contact, erase_profile, verify_submission
from civicflow.shared import topics
from civicflow.shared.events import ContactPreferencesChanged, ErasureRequested, SubmissionReceived
from civicflow.shared.kafka import EventPublisher
from civicflow.shared.messaging import Consumers, Subscription


def register_subscribers(
    consumers: Consumers,
    verifier: Verifier,
    publisher: EventPublisher,
) -> None:
    async def on_submission_received(event: SubmissionReceived) -> None:
        await verify_submission(event, verifier, publisher)

    async def on_contact_preferences_changed(event: ContactPreferencesChanged) -> None:
        await change_contact(event, verifier, publisher)

    async def on_erasure_requested(event: ErasureRequested) -> None:
        await erase_profile(event, verifier)

    processed = consumers.processed
    consumers.subscribe(
        Subscription(topics.SUBMISSION_RECEIVED, SubmissionReceived, on_submission_received, processed=processed)
    )
    consumers.subscribe(
        Subscription(
            topics.CONTACT_PREFERENCES_CHANGED,
            ContactPreferencesChanged,
            on_contact_preferences_changed,
            processed=processed,
        )
    )
    consumers.subscribe(
        Subscription(topics.ERASURE_REQUESTED, ErasureRequested, on_erasure_requested, processed=processed)
    )
