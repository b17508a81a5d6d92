"""Notify's sending limits (domain.flooding) in its own database: "sending_slots" {_id: "<quota>:<n>", quota,
message: the notification id that took it, until: when it may be forgotten}, indexed by message; and "bounces" {_id:
"<recipient>:<until>", recipient, until}, indexed by recipient, one per bounce. Quotas and recipients name HMACs
(domain.recipients), never an address or a citizen id.

A quota's slots are claimed by inserting their unique _id, the one write FerretDB makes atomic: an `$inc` or `$max`
with upsert is a read and then a write there, and two at once would both count from the same number. Of concurrent
claims of one slot exactly one wins; the others try the next. A claim looks for the message's own slot (one equality
on the indexed message: a retry keeps its slot) and inserts the next slot this process has not seen taken, so it
costs the same with one slot taken or thousands (a quota's slots are never read whole: with the local stack's limits
raised for its tests and benchmark, one address holds thousands); a process that starts meets the taken ones once,
as duplicate keys. A bounce's lookup is one equality on the indexed recipient.
Forgetting what ended is a range on `until`, which FerretDB answers by a scan (it has no TTL index): once an hour."""

from datetime import datetime, timedelta
from uuid import UUID

from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from civicflow.notify.config import NotifySettings
from civicflow.notify.domain.flooding import Limits, Quota, SendingGuard, SendingLimits
from civicflow.notify.domain.recipients import counting_key
from civicflow.shared.mongo import Document
from civicflow.shared.security.keys import KeyName, keyring

SLOTS, BOUNCES = "sending_slots", "bounces"


class MongoSendingRecord:
    def __init__(self, database: AsyncDatabase[Document]) -> None:
        self._slots = database[SLOTS]
        self._bounces = database[BOUNCES]
        self._indexed = False
        # Per quota: the first slot not known to be taken, and when the quota ends (to forget it then).
        self._next: dict[str, tuple[int, datetime]] = {}

    async def claim(self, quota: Quota, notification_id: UUID, again: bool = True) -> bool:
        await self._index()
        message = str(notification_id)
        if again and await self._slots.find_one({"message": message, "quota": quota.name}, {"_id": 1}) is not None:
            return True  # a retry of a message that took its slot before
        while True:
            # Reserved before the insert is awaited: claims of one quota at the same time try different slots
            # (all trying the next free one would make n claims cost n² inserts).
            slot, _ = self._next.get(quota.name, (0, quota.until))
            if slot >= quota.limit:
                return False
            self._next[quota.name] = (slot + 1, quota.until)
            document = {"_id": f"{quota.name}:{slot}", "quota": quota.name, "message": message, "until": quota.until}
            try:
                await self._slots.insert_one(document)
            except DuplicateKeyError:  # taken by another instance, or before this one started
                continue
            return True

    async def release(self, quota: Quota, notification_id: UUID) -> None:
        released = await self._slots.find_one_and_delete({"message": str(notification_id), "quota": quota.name})
        if released is not None:  # its slot is free again: the next claim tries it first
            slot = int(str(released["_id"]).rsplit(":", 1)[1])
            taken, until = self._next.get(quota.name, (slot, quota.until))
            self._next[quota.name] = (min(slot, taken), until)

    async def is_bounced(self, recipient: str, now: datetime) -> bool:
        await self._index()
        return await self._bounces.find_one({"recipient": recipient, "until": {"$gt": now}}, {"_id": 1}) is not None

    async def mark_bounced(self, recipient: str, until: datetime) -> None:
        # Inserted, never updated (a `$max` is a read and then a write on FerretDB: of two at once the earlier time
        # could win). The same bounce twice (a redelivery) is a duplicate key.
        document = {"_id": f"{recipient}:{int(until.timestamp())}", "recipient": recipient, "until": until}
        try:
            await self._bounces.insert_one(document)
        except DuplicateKeyError:
            return

    async def forget_ended(self, now: datetime) -> None:
        self._next = {name: (slot, until) for name, (slot, until) in self._next.items() if until > now}
        await self._slots.delete_many({"until": {"$lte": now}})
        await self._bounces.delete_many({"until": {"$lte": now}})

    async def _index(self) -> None:
        """On first use (creating an index that exists is a no-op, but a round trip)."""
        if not self._indexed:
            await self._slots.create_index("message")
            await self._bounces.create_index("recipient")
            self._indexed = True


def sending_guard(settings: NotifySettings, database: AsyncDatabase[Document]) -> SendingGuard:
    """The limits as configured (NOTIFY_LIMIT_*), counted under a key derived from notify's CONTACT key."""
    limits = settings.limits
    return SendingLimits(
        Limits(
            per_recipient_per_hour=limits.per_recipient_per_hour,
            unverified_per_recipient_per_day=limits.unverified_per_recipient_per_day,
            per_sender_per_hour=limits.per_sender_per_hour,
            bounce_for=timedelta(days=limits.bounce_days),
        ),
        key=counting_key(keyring(settings.keys, KeyName.CONTACT).current),
        record=MongoSendingRecord(database),
    )
