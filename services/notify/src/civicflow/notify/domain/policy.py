"""The notification policy: which steps the citizen is told about, and how close steps are folded into one message.
Data, not code (civicflow/notify/policy/default.toml); this module only reads it."""

import tomllib
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum
from pathlib import Path
from typing import Any

from civicflow.shared.events import Step

# The steps notify hears of (entrypoints.kafka subscribes to each): the policy says of each whether it tells.
HEARD_OF = frozenset(
    {Step.RECEIVED, Step.VERIFIED, Step.REJECTED, Step.ROUTED, Step.UNROUTABLE, Step.CLARIFICATION_NEEDED, Step.DECIDED}
)


class Telling(StrEnum):
    TELL = "tell"
    QUIET = "quiet"


@dataclass(frozen=True)
class NotificationPolicy:
    tells: frozenset[Step]
    coalesce: timedelta

    def tells_of(self, step: Step) -> bool:
        return step in self.tells

    @classmethod
    def parse(cls, document: dict[str, Any]) -> "NotificationPolicy":
        """Refuses a policy that names an unknown step or word, or leaves a step out: a typo must not silence a
        step."""
        steps = document.get("steps")
        if not isinstance(steps, dict):
            raise ValueError("the policy has no [steps] table")
        unknown = set(steps) - {str(step) for step in HEARD_OF}
        if unknown:
            raise ValueError(f"the policy names steps notify does not hear of: {', '.join(sorted(unknown))}")
        missing = {str(step) for step in HEARD_OF} - set(steps)
        if missing:
            raise ValueError(f"the policy says nothing of: {', '.join(sorted(missing))}")
        tells = frozenset(Step(name) for name, telling in steps.items() if Telling(telling) is Telling.TELL)
        seconds = document.get("coalesce_seconds", 0)
        if not isinstance(seconds, int | float) or not 0 <= seconds <= 86400:
            raise ValueError("coalesce_seconds must be between 0 and 86400")
        return cls(tells, timedelta(seconds=seconds))

    @classmethod
    def read(cls, path: Path, coalesce_seconds: float | None = None) -> "NotificationPolicy":
        with path.open("rb") as file:
            policy = cls.parse(tomllib.load(file))
        if coalesce_seconds is None:
            return policy
        return cls(policy.tells, timedelta(seconds=coalesce_seconds))
