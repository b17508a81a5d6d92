"""Routing's subscriptions: every verified application is delivered once to the agency responsible for it, or waits
for the citizen's answer; an answer delivers it; an erasure forgets the citizen's waiting applications; an agency's
decision goes to the citizen, the citizen's answer to the agency's request to the agency."""

from collections.abc import Sequence

from civicflow.routing.decisions import decision_of, forward_answer, take_decision
from civicflow.routing.handlers import Publisher, Router, clarify, forget_waiting, route_submission, route_submissions
from civicflow.shared import topics
from civicflow.shared.events import (
    AgencyDecision,
    ClarificationProvided,
    ErasureRequested,
    IdentityVerified,
    InformationProvided,
)
from civicflow.shared.messaging import Consumers, Subscription


def register_subscribers(consumers: Consumers, router: Router, publisher: Publisher) -> None:
    async def on_identity_verified(event: IdentityVerified) -> None:
        await route_submission(event, router, publisher)

    async def on_identities_verified(events: Sequence[IdentityVerified]) -> None:
        await route_submissions(events, router, publisher)

    async def on_clarification_provided(event: ClarificationProvided) -> None:
        await clarify(event, router, publisher)

    async def on_erasure_requested(event: ErasureRequested) -> None:
        await forget_waiting(event, router, publisher)

    consumers.subscribe(
        Subscription(
            topics.IDENTITY_VERIFIED,
            IdentityVerified,
            on_identity_verified,
            handle_batch=on_identities_verified,
            processed=consumers.processed,
        )
    )

    # Both idempotent by themselves (the waiting application is the state: once delivered or forgotten, it is not
    # found again), so no processed-event ids are kept for them.
    async def on_decision(decision: AgencyDecision) -> None:
        await take_decision(decision, router, publisher)

    async def on_information(event: InformationProvided) -> None:
        await forward_answer(event, router, publisher)

    consumers.subscribe(Subscription(topics.CLARIFICATION_PROVIDED, ClarificationProvided, on_clarification_provided))
    consumers.subscribe(Subscription(topics.ERASURE_REQUESTED, ErasureRequested, on_erasure_requested))
    # Every agency's decisions topic, those registered later too (subscribed by pattern); each decision is checked
    # against the registry (decisions.take_decision). Idempotent by the delivery record, like the answers.
    consumers.subscribe(
        Subscription(topics.AGENCY_DECISIONS, AgencyDecision, on_decision, parse=decision_of, pattern=True)
    )
    consumers.subscribe(Subscription(topics.INFORMATION_PROVIDED, InformationProvided, on_information))
