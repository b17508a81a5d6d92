"""Routing's subscriptions: every verified application is delivered once to the agency responsible for it, or waits
for the citizen's answer; an answer delivers it; an erasure forgets the citizen's waiting applications."""

from civicflow.routing.handlers import Publisher, Router, clarify, forget_waiting, route_submission
from civicflow.shared import topics
from civicflow.shared.events import ClarificationProvided, ErasureRequested, IdentityVerified
from civicflow.shared.messaging import Consumers, Subscription


def register_subscribers(consumers: Consumers, router: Router, publisher: Publisher) -> None:
    async def on_identity_verified(event: IdentityVerified) -> None:
        await route_submission(event, router, publisher)

    async def on_clarification_provided(event: ClarificationProvided) -> None:
        await clarify(event, router, publisher)

    async def on_erasure_requested(event: ErasureRequested) -> None:
        await forget_waiting(event, router, publisher)

    consumers.subscribe(
        Subscription(topics.IDENTITY_VERIFIED, IdentityVerified, on_identity_verified, processed=consumers.processed)
    )
    # Both idempotent by themselves (the waiting application is the state: once delivered or forgotten, it is not
    # found again), so no processed-event ids are kept for them.
    consumers.subscribe(Subscription(topics.CLARIFICATION_PROVIDED, ClarificationProvided, on_clarification_provided))
    consumers.subscribe(Subscription(topics.ERASURE_REQUESTED, ErasureRequested, on_erasure_requested))
