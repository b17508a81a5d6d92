"""Which notifications have gone out, one document per submission and step."""

from datetime import UTC, datetime

from pymongo.asynchronous.database import AsyncDatabase

from civicflow.shared.mongo import Document


class MongoNotificationLedger:
    def __init__(self, database: AsyncDatabase[Document]) -> None:
        self._collection = database["notifications"]

    async def was_sent(self, key: str) -> bool:
        return await self._collection.find_one({"_id": key}, projection={"_id": 1}) is not None

    async def record_sent(self, key: str, channel: str) -> None:
        await self._collection.update_one(
            {"_id": key}, {"$setOnInsert": {"channel": channel, "sent_at": datetime.now(UTC)}}, upsert=True
        )
