"""Notify's sending limits (domain.flooding) in its own database: "sending_slots" {_id: "<quota>:<n>", quota,
message: the notification id that took it, until: when it may be forgotten}, indexed by quota; and "bounces" {_id:
"<recipient>:<until>", recipient, until}, indexed by recipient, one per bounce. Quotas and recipients name HMACs
(domain.recipients), never an address or a citizen id.

A quota's slots are claimed by inserting their unique _id, the one write FerretDB makes atomic: an `$inc` or `$max`
with upsert is a read and then a write there, and two at once would both count from the same number. Of concurrent
claims of one slot exactly one wins; the others try the next free one. A claim reads the quota's slots (at most its
limit, by equality on the indexed quota) and inserts one; a bounce's lookup is one equality on the indexed recipient.
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

    async def claim(self, quota: Quota, notification_id: UUID) -> bool:
        await self._index()
        message = str(notification_id)
        taken = {found["_id"]: found["message"] async for found in self._slots.find({"quota": quota.name})}
        if message in taken.values():  # a retry of a message that took its slot before
            return True
        for slot in range(quota.limit):
            document = {"_id": f"{quota.name}:{slot}", "quota": quota.name, "message": message, "until": quota.until}
            if document["_id"] in taken:
                continue
            try:
                await self._slots.insert_one(document)
            except DuplicateKeyError:  # another message took it since the read
                continue
            return True
        return False

    async def release(self, quota: Quota, notification_id: UUID) -> None:
        await self._slots.delete_one({"quota": quota.name, "message": str(notification_id)})

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
        await self._slots.delete_many({"until": {"$lte": now}})
        await self._bounces.delete_many({"until": {"$lte": now}})

    async def _index(self) -> None:
        """On first use (creating an index that exists is a no-op, but a round trip)."""
        if not self._indexed:
            await self._slots.create_index("quota")
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
