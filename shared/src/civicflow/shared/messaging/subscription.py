"""What a service declares to consume a topic: the event type, its consumer group, and what to do per event."""

import re
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Generic, Protocol, TypeVar

from civicflow.shared.events import CitizenEvent, DeadLetter, Event
from civicflow.shared.messaging.deliveries import Delivery
from civicflow.shared.messaging.processed import ProcessedEvents

E = TypeVar("E", bound=Event | CitizenEvent)


# How a record becomes the event, where it is not CivicFlow's JSON (an agency's signed decision); it raises
# ValueError for a record that is none.
Parse = Callable[[Delivery], E]


@dataclass(frozen=True)
class Subscription(Generic[E]):
    # A topic name, or with `pattern`, a template naming a family of topics (`agency.{agency_id}.decisions`),
    # which Kafka subscribes by pattern: a topic of the family created later is read too.
    topic: str
    event_type: type[E]
    # Handles one event; it may publish and write, and must tolerate the same event twice (at-least-once).
    handle: Callable[[E], Awaitable[None]]
    # The same work for many events at once (one store write for a whole batch). If it fails for any reason
    # but our store being down, the events are handled one by one, so only the culprit is set back.
    handle_batch: Callable[[Sequence[E]], Awaitable[None]] | None = None
    # Event ids already acted on are skipped; None when handling is idempotent by itself.
    processed: ProcessedEvents | None = None
    # Remember each event as soon as it is handled instead of once per batch: for work outside Kafka that
    # must not be repeated after a crash (an e-mail), at one store write per event.
    remember_each: bool = False
    parse: Parse[E] | None = None
    pattern: bool = False

    def reads(self, topic: str) -> bool:
        """Whether a record from `topic` is this subscription's."""
        return fullmatch_template(self.topic, topic) if self.pattern else topic == self.topic


def fullmatch_template(template: str, topic: str) -> bool:
    """Whether `topic` is of the family `template` names (each `{name}` one dot-free part)."""
    pattern = re.escape(template)
    pattern = re.sub(r"\\\{[a-z_]+\\\}", "[^.]+", pattern)
    return re.fullmatch(pattern, topic) is not None


# Whether the service's own store answers now.
StoreProbe = Callable[[], Awaitable[bool]]


class Setbacks(Protocol):
    """Where a message goes that could not be handled now: a retry topic, or the dead letters."""

    async def retry_later(self, delivery: Delivery, stage: int, delay_seconds: float, error: BaseException) -> None: ...

    async def dead_letter(self, letter: DeadLetter) -> None: ...
