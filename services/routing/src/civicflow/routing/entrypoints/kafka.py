"""Routing's subscription: every verified application is delivered once to the agency responsible for it."""

from civicflow.routing.domain.registry import AgencyRegistry, PostalIndex
from civicflow.routing.handlers import route_submission
from civicflow.shared import topics
from civicflow.shared.events import IdentityVerified
from civicflow.shared.kafka import EventPublisher
from civicflow.shared.messaging import Consumers, Subscription
from civicflow.shared.security.sealing import Sealer


def register_subscribers(
    consumers: Consumers,
    postal: PostalIndex,
    registry: AgencyRegistry,
    sealer: Sealer,
    pseudonym_key: bytes,
    publisher: EventPublisher,
) -> None:
    async def on_identity_verified(event: IdentityVerified) -> None:
        await route_submission(event, postal, registry, sealer, pseudonym_key, publisher)

    consumers.subscribe(
        Subscription(topics.IDENTITY_VERIFIED, IdentityVerified, on_identity_verified, processed=consumers.processed)
    )
