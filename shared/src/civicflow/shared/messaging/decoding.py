"""Turning fetched records into events, or into the reason they are not one. Decoding never raises."""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Generic, cast

from pydantic import ValidationError

from civicflow.shared.events.base import FROM_KAFKA
from civicflow.shared.messaging.deliveries import Delivery
from civicflow.shared.messaging.subscription import E, Parse


@dataclass(frozen=True)
class Decoded(Generic[E]):
    delivery: Delivery
    event: E | None
    # Why it is not an event: field paths and messages only, never the values (they may be personal data).
    problem: str = ""

    @property
    def position(self) -> tuple[str, int, int]:
        return self.delivery.topic, self.delivery.partition, self.delivery.offset


class DecodedBatch(list[E]):
    """The events of one fetched batch, as a subscriber's signature declares them (so FastStream's AsyncAPI
    document shows the payload type), carrying every record behind them, including those that did not decode."""

    def __init__(self, decoded: Sequence[Decoded[E]], message: Any) -> None:
        super().__init__(item.event for item in decoded if item.event is not None)
        self.decoded = list(decoded)
        # The fetched message, to commit (ack) or rewind (nack) once the batch is settled.
        self.message = message


def decode(delivery: Delivery, event_type: type[E], parse: Parse[E] | None = None) -> Decoded[E]:
    try:
        if parse is not None:
            return Decoded(delivery, parse(delivery))
        event = event_type.model_validate_json(delivery.value, context=FROM_KAFKA)
        return Decoded(delivery, cast(E, event))  # mypy reads a class method of a union-bound type as the union
    except ValidationError as error:
        return Decoded(delivery, None, explain(error))
    except Exception as error:  # noqa: BLE001 - any failure to read a message is that message's fault
        return Decoded(delivery, None, type(error).__name__)


def explain(error: ValidationError) -> str:
    """Field paths and messages only: the input values may be personal data."""
    return "; ".join(
        f"{'.'.join(str(part) for part in item['loc']) or '<message>'}: {item['msg']}"
        for item in error.errors(include_input=False, include_url=False)
    )[:1000]
