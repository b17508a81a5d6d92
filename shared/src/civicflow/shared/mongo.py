"""MongoDB factory. Code uses only what MongoDB and FerretDB share: no transactions, change streams,
TTL indexes or $lookup."""

from typing import Any

from pymongo import AsyncMongoClient

from civicflow.shared.settings import MongoSettings

Document = dict[str, Any]


def make_mongo_client(settings: MongoSettings) -> AsyncMongoClient[Document]:
    return AsyncMongoClient(
        settings.uri.get_secret_value(),
        tz_aware=True,
        serverSelectionTimeoutMS=5000,
        uuidRepresentation="standard",
    )
