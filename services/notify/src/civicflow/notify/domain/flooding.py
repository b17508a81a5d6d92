"""Nobody can use CivicFlow to flood an address (issue 10). Anyone may file an application naming any address, so
what notify sends is limited, whoever filed what:

- Before identity is verified, one message per submission: of its "received" and its "rejected", only the first
  goes. A submission counts as verified once an IdentityVerified at a level other than "none" was seen for it (the
  caller says so in Outgoing.verified; level "none" proves nobody).
- Per recipient: at most `per_recipient_per_hour` messages in a clock hour, and among them at most
  `unverified_per_recipient_per_day` unverified ones in a UTC day, so twenty garbage applications naming one victim
  send five mails, not twenty or forty.
- Per sender: at most `per_sender_per_hour` messages of one verified citizen (the citizen_id IdentityVerified
  carries) in a clock hour. An unverified submission has no sender notify could know: who sent it is only a client
  address, and intake already limits the submissions per client address.
- An address the channel refused for good (notify.bounces.Bounced) is not sent to again for `bounce_for`.

Recipients and senders are kept as HMACs (domain.recipients). Windows are fixed (clock hours, UTC days), not sliding:
across a window's end, twice the limit may go within a window's length. Each quota is a set of numbered slots that a
message takes one of, by unique _id in the store (adapters.mongo_sending_limits): an insert is the one write FerretDB
makes atomic, so concurrent messages never take more than the limit."""

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Protocol
from uuid import UUID

from civicflow.notify.domain.recipients import recipient_key, sender_key

HOUR, DAY = timedelta(hours=1), timedelta(days=1)
# How long an unverified submission's one slot is kept: far beyond identity's answer and the retry schedule (hours),
# after which an unverified submission has nothing more to be told.
SUBMISSION_SLOT_KEPT = timedelta(days=7)
# How often slots whose window ended and bounces kept long enough are deleted (FerretDB has no TTL index).
FORGET_EVERY = HOUR


@dataclass(frozen=True)
class Outgoing:
    notification_id: UUID  # unique per message; a retry of the same message reuses it
    submission_id: UUID
    verified: bool  # the submission's identity was verified at a level other than "none"
    sender: str | None  # citizen_id when verified, else None
    # An earlier attempt of this message may have taken its slots (a retry, or a resend after a crash): they are
    # looked for, and kept. A first attempt holds none, so nothing is looked for.
    again: bool = True


class Suppressed(StrEnum):
    """Why a message was not sent. Said in logs and events; never with the address."""

    BOUNCED = "bounced"
    UNVERIFIED_SENT_ALREADY = "unverified_sent_already"
    RECIPIENT_LIMIT = "recipient_limit"
    SENDER_LIMIT = "sender_limit"


class SendingGuard(Protocol):
    async def refusal(self, address: str, outgoing: Outgoing, now: datetime) -> Suppressed | None:
        """None: the message may go, and its slots are taken (a retry of the same notification_id keeps its own
        slots: None again). Else why not."""

    async def bounced(self, address: str, now: datetime) -> None:
        """The channel refused this address for good: not again for bounce_days."""


@dataclass(frozen=True)
class Quota:
    """At most `limit` messages; its slots may be forgotten from `until` on."""

    name: str  # whose, which rule and which window: "recipient:<hmac>:3600:493924"; never an address
    limit: int
    until: datetime
    exceeded: Suppressed


class SendingRecord(Protocol):
    """The slots taken and the bounces, kept by an adapter under HMACs (domain.recipients)."""

    async def claim(self, quota: Quota, notification_id: UUID, again: bool = True) -> bool:
        """Takes a free slot of `quota` for the message; False when all are taken. With `again`, a slot the same
        message took before (a retry) is still its own: True."""

    async def release(self, quota: Quota, notification_id: UUID) -> None:
        """Frees the message's slot of `quota`, if it took one."""

    async def is_bounced(self, recipient: str, now: datetime) -> bool:
        """Whether `recipient` bounced, kept until after `now`."""

    async def mark_bounced(self, recipient: str, until: datetime) -> None:
        """Remembers that `recipient` bounced, until `until` (the latest, if marked again)."""

    async def forget_ended(self, now: datetime) -> None:
        """Deletes the slots and bounces kept until `now` or earlier."""


@dataclass(frozen=True)
class Limits:
    per_recipient_per_hour: int = 20
    unverified_per_recipient_per_day: int = 5
    per_sender_per_hour: int = 30
    bounce_for: timedelta = timedelta(days=30)


@dataclass
class SendingLimits:
    """The SendingGuard: which quotas a message takes a slot of, claimed in the record."""

    limits: Limits
    key: bytes = field(repr=False)  # domain.recipients.counting_key; a secret, never in a repr
    record: SendingRecord
    _forgotten_at: datetime | None = field(default=None, init=False, repr=False)

    async def refusal(self, address: str, outgoing: Outgoing, now: datetime) -> Suppressed | None:
        await self._forget_ended(now)
        recipient = recipient_key(self.key, address)
        if await self.record.is_bounced(recipient, now):
            return Suppressed.BOUNCED
        taken: list[Quota] = []
        for quota in self.quotas(recipient, outgoing, now):
            if not await self.record.claim(quota, outgoing.notification_id, outgoing.again):
                # The message does not go, so it holds no slot: the ones it took are free again.
                for other in taken:
                    await self.record.release(other, outgoing.notification_id)
                return quota.exceeded
            taken.append(quota)
        return None

    async def bounced(self, address: str, now: datetime) -> None:
        await self.record.mark_bounced(recipient_key(self.key, address), now + self.limits.bounce_for)

    def quotas(self, recipient: str, outgoing: Outgoing, now: datetime) -> tuple[Quota, ...]:
        """The quotas the message takes a slot of, the narrowest first, so that a message stopped by one takes (for
        a moment) as few slots of the wider ones as may be."""
        limits, quotas = self.limits, list[Quota]()
        if not outgoing.verified:
            submission = f"unverified:{outgoing.submission_id}"
            quotas.append(Quota(submission, 1, now + SUBMISSION_SLOT_KEPT, Suppressed.UNVERIFIED_SENT_ALREADY))
            quotas.append(
                _window(f"recipient:{recipient}:unverified", now, DAY, limits.unverified_per_recipient_per_day)
            )
        if outgoing.sender is not None:
            sender = f"sender:{sender_key(self.key, outgoing.sender)}"
            quotas.append(_window(sender, now, HOUR, limits.per_sender_per_hour, Suppressed.SENDER_LIMIT))
        quotas.append(_window(f"recipient:{recipient}", now, HOUR, limits.per_recipient_per_hour))
        return tuple(quotas)

    async def _forget_ended(self, now: datetime) -> None:
        if self._forgotten_at is None or now - self._forgotten_at >= FORGET_EVERY:
            self._forgotten_at = now
            await self.record.forget_ended(now)


def _window(
    subject: str, now: datetime, length: timedelta, limit: int, exceeded: Suppressed = Suppressed.RECIPIENT_LIMIT
) -> Quota:
    """The fixed window of `length` that `now` falls in, counted from the Unix epoch (clock hours, UTC days)."""
    seconds = int(length.total_seconds())
    index = int(now.timestamp()) // seconds
    return Quota(f"{subject}:{seconds}:{index}", limit, datetime.fromtimestamp((index + 1) * seconds, UTC), exceeded)
