"""Intake's copies of the citizens' profiles in MongoDB (FerretDB), each looked up by _id or one indexed equality:
"profiles" {_id: citizen id, the profile sealed to the citizen (events.personal.PROFILE), saved_at}, "erasures"
{_id: citizen id, at} and "citizen_submissions" {_id: "<citizen id>:<submission id>", citizen_id, submission_id,
at}, indexed by citizen_id.

FerretDB has no transactions, and its conditional writes are a read and then a write by _id (see
mongo_attachments), so they order nothing between writers. Writers of one citizen's profile are few: the
ProfileSaved subscriber (one consumer per partition, the citizen id the key) and the citizen's own erasure. An
erasure is written before the copy is deleted, and a save looks for an erasure again after writing: whichever comes
second sees the other, so no copy outlives an erasure that came after it."""

import asyncio
from collections.abc import Sequence
from datetime import datetime
from uuid import UUID

from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from civicflow.intake.profiles import SubmissionLink
from civicflow.shared.events import Profile, personal
from civicflow.shared.mongo import Document, insert_new
from civicflow.shared.security.sealing import Sealed, Sealer


class MongoProfileCopies:
    def __init__(self, database: AsyncDatabase[Document], sealer: Sealer) -> None:
        self._profiles = database["profiles"]
        self._erasures = database["erasures"]
        self._links = database["citizen_submissions"]
        self._sealer = sealer
        self._indexed = False

    async def _index(self) -> None:
        """On first use (creating an index that exists is a no-op, but a round trip)."""
        if not self._indexed:
            await self._links.create_index("citizen_id")
            self._indexed = True

    async def save(self, citizen_id: str, profile: Profile, saved_at: datetime) -> None:
        if await self._erased_since(citizen_id, saved_at):
            return
        sealed = self._sealer.seal(personal.PROFILE, profile, personal.of_citizen(citizen_id))
        document = {"profile": sealed.model_dump(mode="json"), "saved_at": saved_at}
        # An older version arriving again (a redelivery, a replay) matches nothing and inserts a duplicate key.
        newer = await self._profiles.update_one({"_id": citizen_id, "saved_at": {"$lt": saved_at}}, {"$set": document})
        if newer.matched_count == 0:
            try:
                await self._profiles.insert_one({"_id": citizen_id} | document)
            except DuplicateKeyError:
                return
        if await self._erased_since(citizen_id, saved_at):  # an erasure that came while we wrote
            await self._profiles.delete_one({"_id": citizen_id})

    async def get(self, citizen_id: str) -> Profile | None:
        found = await self._profiles.find_one({"_id": citizen_id})
        if found is None:
            return None
        sealed = Sealed.model_validate(found["profile"])
        return self._sealer.open(personal.PROFILE, sealed, personal.of_citizen(citizen_id))

    async def link(self, links: Sequence[SubmissionLink]) -> list[UUID]:
        if not links:
            return []
        await self._index()
        documents = [
            {
                "_id": _link_id(link),
                "citizen_id": link.citizen_id,
                "submission_id": str(link.submission_id),
                "at": link.at,
            }
            for link in links
        ]
        await insert_new(self._links, documents)  # a link kept already is a duplicate key, left as it is
        # Looked for after the links are written, as erase() writes the erasure before it reads the links: of an
        # erasure and a link of a submission filed before it, whichever comes second finds the other.
        citizens = sorted({link.citizen_id for link in links})
        found = await asyncio.gather(*(self._erasures.find_one({"_id": citizen_id}) for citizen_id in citizens))
        erased = {citizen_id: erasure["at"] for citizen_id, erasure in zip(citizens, found, strict=True) if erasure}
        late = [link for link in links if link.citizen_id in erased and link.at <= erased[link.citizen_id]]
        await asyncio.gather(*(self._links.delete_one({"_id": _link_id(link)}) for link in late))
        return [link.submission_id for link in late]

    async def submissions_of(self, citizen_id: str) -> list[UUID]:
        await self._index()
        found = [document async for document in self._links.find({"citizen_id": citizen_id})]
        # Sorted here: FerretDB would sort by scanning; one citizen has few submissions.
        found.sort(key=lambda document: document["at"], reverse=True)
        return [UUID(document["submission_id"]) for document in found]

    async def erase(self, citizen_id: str, at: datetime) -> list[UUID]:
        await self._erasures.update_one({"_id": citizen_id}, {"$set": {"at": at}}, upsert=True)
        await self._profiles.delete_one({"_id": citizen_id})
        linked = await self.submissions_of(citizen_id)
        await self._links.delete_many({"citizen_id": citizen_id})
        return linked

    async def _erased_since(self, citizen_id: str, saved_at: datetime) -> bool:
        erasure = await self._erasures.find_one({"_id": citizen_id})
        return erasure is not None and erasure["at"] >= saved_at


def _link_id(link: SubmissionLink) -> str:
    return f"{link.citizen_id}:{link.submission_id}"
