"""What a status timeline shows: the steps reached, each message to the citizen at its latest status (the timeline
has an entry per status of each message), and whether every step that tells was told by one that went out. Read
by the fault run's count and by `make demo`, which waits as tests/support/journeys.until_settled does."""

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from civicflow.shared.events import NotificationStatus, Step

# The steps notify's shipped policy tells of (services/notify/src/civicflow/notify/policy/default.toml); the
# others are quiet: on the status page only, or in the message of a telling step close before them.
TELLING_STEPS = frozenset({Step.RECEIVED, Step.REJECTED, Step.UNROUTABLE, Step.CLARIFICATION_NEEDED, Step.DECIDED})
# A message at one of these is done with: handed on, delivered, or given up on. "created" and "temporary-failure"
# are still to be sent.
SENT = frozenset(
    {
        NotificationStatus.SENDING,
        NotificationStatus.DELIVERED,
        NotificationStatus.PERMANENT_FAILURE,
        NotificationStatus.TECHNICAL_FAILURE,
    }
)
# Sent, but not to the citizen: refused for good, or our own fault.
NOT_DELIVERED = frozenset({NotificationStatus.PERMANENT_FAILURE, NotificationStatus.TECHNICAL_FAILURE})
# Where an application without a further decision by the agency ends.
FINAL_STEPS = frozenset({Step.ROUTED, Step.UNROUTABLE, Step.REJECTED})
# The steps of an application that is verified and routed, each with a timeline entry. Only `received` tells: its
# message is written from the latest state reached within notify's window (`routed` when the pipeline is quick,
# `received` when it is not), so which type an application's message has depends on the faults, not how many.
STEPS = (Step.RECEIVED, Step.VERIFIED, Step.ROUTED)


@dataclass(frozen=True)
class Told:
    """One message to the citizen, at its latest status."""

    notification_id: str
    message_type: str
    status: str
    about: tuple[str, ...]  # the steps it tells of
    channel: str | None

    @property
    def sent(self) -> bool:
        return self.status in SENT


def messages(timeline: Iterable[Mapping[str, Any]]) -> list[Told]:
    """Each message in the timeline at its latest status, in the order they first appear."""
    by_message: dict[str, list[Mapping[str, Any]]] = {}
    for entry in timeline:
        if entry["step"] == Step.NOTIFIED:
            by_message.setdefault(str(entry["notification_id"]), []).append(entry)
    # The latest attempt's outcome; "created" comes before any attempt.
    latest = (
        max(entries, key=lambda entry: (entry.get("attempt", 0), entry["status"] != NotificationStatus.CREATED))
        for entries in by_message.values()
    )
    return [
        Told(
            str(entry["notification_id"]),
            str(entry["message_type"]),
            str(entry["status"]),
            tuple(str(step) for step in entry.get("about", ())),
            entry.get("channel"),
        )
        for entry in latest
    ]


def untold(steps: Iterable[str], told: Sequence[Told]) -> list[str]:
    """The steps reached that tell, and that no message which went out told of, in the order reached."""
    told_of = {step for message in told if message.sent for step in message.about}
    return [step for step in dict.fromkeys(steps) if step in TELLING_STEPS and step not in told_of]


def settled(status: Mapping[str, Any]) -> bool:
    """The application reached a final step, every message about it went out, and every step that tells was told
    of: one message for steps close together, none for the quiet ones."""
    timeline = status["timeline"]
    told = messages(timeline)
    sent = all(message.sent for message in told)
    return status["status"] in FINAL_STEPS and sent and not untold((entry["step"] for entry in timeline), told)


@dataclass(frozen=True)
class Timeline:
    """How often each step appears in one status timeline, and its messages at their latest status."""

    steps: Mapping[str, int]
    told: Sequence[Told]

    @classmethod
    def of(cls, status: Mapping[str, Any]) -> "Timeline":
        entries = status.get("timeline", [])
        steps = Counter(str(entry["step"]) for entry in entries if entry["step"] != Step.NOTIFIED)
        return cls(dict(steps), messages(entries))

    def missing(self) -> list[str]:
        """What keeps it from complete: a step not reached (`routed`), a step that tells and that no message which
        went out told of (`told of received`), a message not yet sent (`a message left temporary-failure`)."""
        lacking = [str(step) for step in STEPS if not self.steps.get(step)]
        lacking += [f"told of {step}" for step in untold(self.steps, self.told)]
        return lacking + [f"a message left {message.status}" for message in self.told if not message.sent]

    def doubled(self) -> bool:
        """A step recorded twice (under two event ids: the timeline keeps one per id), or the citizen told twice:
        two messages of one type, or a step in two messages."""
        types = Counter(message.message_type for message in self.told)
        told_of = Counter(step for message in self.told for step in message.about)
        return any(count > 1 for count in (*self.steps.values(), *types.values(), *told_of.values()))
