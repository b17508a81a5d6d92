"""Attachments in the document store: GridFS files in the bucket "attachments" (attachments.files describes each
file, attachments.chunks holds its bytes in 255 KiB chunks under the unique (files_id, n) index GridFS makes, which
FerretDB 1.24 keeps too; tests/integration/test_attachments_store.py).

Which submission a file belongs to is decided by one insert into attachment_bindings, keyed by the file's id: the
one write FerretDB makes atomic. Its conditional updates and deletes are not: FerretDB 1.24 reads the matching
documents, then writes each by its _id in a second statement (internal/backends/postgresql/collection.go); of 20
concurrent `update_one({"_id": x, "owner": None}, ...)` up to 16 reported a match, and a `delete_one` with that
filter deleted a document an update had just claimed. So "bind it unless bound" and "forget it unless bound"
cannot be filters. A submission binds a file by claiming it; the sweep forgets an unbound one by claiming it too
(a claim without a submission), so of the two only one ever wins."""

import asyncio
import hashlib
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

from gridfs import AsyncGridFSBucket
from gridfs.errors import CorruptGridFile, NoFile
from pymongo import ASCENDING
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from civicflow.intake.domain.attachments import (
    AttachmentDamaged,
    AttachmentsNotBindable,
    CheckedUpload,
    StoredAttachment,
)
from civicflow.shared.events import AttachmentRef
from civicflow.shared.mongo import Document

BUCKET = "attachments"
# An upload no submission claimed within a day is forgotten (the sweep looks once an hour).
UNBOUND_RETENTION_HOURS = 24
SWEEP_INTERVAL_SECONDS = 3600


class MongoAttachments:
    def __init__(self, database: AsyncDatabase[Document]) -> None:
        self._bucket = AsyncGridFSBucket(database, BUCKET)
        self._files = database[f"{BUCKET}.files"]
        self._chunks = database[f"{BUCKET}.chunks"]
        self._bindings = database["attachment_bindings"]

    async def prepare(self) -> None:
        """The indexes GridFS makes on its first write to an empty bucket, made at start instead."""
        await self._files.create_index([("filename", ASCENDING), ("uploadDate", ASCENDING)])
        await self._chunks.create_index([("files_id", ASCENDING), ("n", ASCENDING)], unique=True)
        await self._bindings.create_index("submission_id")

    async def put(self, service_id: str, upload: CheckedUpload) -> AttachmentRef:
        ref = AttachmentRef(attachment_id=uuid4(), sha256=upload.sha256, media_type=upload.media_type, size=upload.size)
        metadata = {
            "sha256": ref.sha256,
            "media_type": ref.media_type,
            "service_id": service_id,
            "state": "pending",
            "submission_id": None,
        }
        # GridFS keeps the size as `length` and the time as `uploadDate`; the display name is its `filename`.
        await self._bucket.upload_from_stream_with_id(
            str(ref.attachment_id), upload.filename, upload.data, metadata=metadata
        )
        return ref

    async def find(self, attachment_ids: Sequence[UUID]) -> dict[UUID, StoredAttachment]:
        """The kept ones of these; each by its _id (FerretDB would scan the whole collection for an `$in`)."""
        found = await asyncio.gather(*(self._find_one(attachment_id) for attachment_id in attachment_ids))
        return {stored.ref.attachment_id: stored for stored in found if stored is not None}

    async def bind(self, attachment_ids: Sequence[UUID], submission_id: UUID) -> None:
        """Each file becomes the submission's unless another's already; binding again to the same one changes
        nothing. Not all at once (FerretDB has no transactions): those that could be are bound, the others are
        named by AttachmentsNotBindable, and a retry with the same submission id binds the rest."""
        bound = await asyncio.gather(
            *(self._bind_one(attachment_id, submission_id) for attachment_id in attachment_ids)
        )
        refused = [attachment_id for attachment_id, ok in zip(attachment_ids, bound, strict=True) if not ok]
        if refused:
            raise AttachmentsNotBindable(refused)

    async def open(self, attachment_id: UUID) -> bytes | None:
        try:
            stream = await self._bucket.open_download_stream(str(attachment_id))
        except NoFile:
            return None
        try:
            async with stream:
                data = await stream.read()
        except CorruptGridFile as error:  # a chunk missing, or of another length than the file's says
            raise AttachmentDamaged(str(attachment_id)) from error
        if hashlib.sha256(data).hexdigest() != (stream.metadata or {}).get("sha256"):
            raise AttachmentDamaged(str(attachment_id))
        return data

    async def forget_unbound(self, older_than: datetime) -> int:
        """Forget the files uploaded before `older_than` that no submission claimed, and the claims of the last
        such sweeps; returns how many files were forgotten. (Ranges are full scans on FerretDB: once an hour.)"""
        await self._bindings.delete_many({"submission_id": None, "claimed_at": {"$lt": older_than}})
        stale = self._files.find({"metadata.state": "pending", "uploadDate": {"$lt": older_than}}, {"_id": 1})
        file_ids = [document["_id"] async for document in stale]  # read before any is deleted
        return sum([await self._forget_one(file_id) for file_id in file_ids])

    async def forget_of(self, submission_ids: Sequence[UUID]) -> int:
        """Forget the files these submissions bound, and their claims; returns how many files were forgotten. One
        lookup by the indexed submission id each, then deletes by _id."""
        found = await asyncio.gather(
            *(self._bindings.find({"submission_id": str(each)}, {"_id": 1}).to_list() for each in submission_ids)
        )
        file_ids = [document["_id"] for documents in found for document in documents]
        for file_id in file_ids:
            await self._files.delete_one({"_id": file_id})
            await self._chunks.delete_many({"files_id": file_id})
            await self._bindings.delete_one({"_id": file_id})
        return len(file_ids)

    async def sweep_unbound(self) -> None:
        """A background job: prepare the indexes, then every hour forget the uploads no submission claimed within
        UNBOUND_RETENTION_HOURS (FerretDB has no TTL index)."""
        await self.prepare()
        while True:
            await self.forget_unbound(datetime.now(UTC) - timedelta(hours=UNBOUND_RETENTION_HOURS))
            await asyncio.sleep(SWEEP_INTERVAL_SECONDS)

    async def _find_one(self, attachment_id: UUID) -> StoredAttachment | None:
        file, binding = await asyncio.gather(
            self._files.find_one({"_id": str(attachment_id)}),
            self._bindings.find_one({"_id": str(attachment_id)}),
        )
        if file is None:
            return None
        claimed = binding.get("submission_id") if binding else None
        return _stored(file, UUID(claimed) if claimed else None)

    async def _bind_one(self, attachment_id: UUID, submission_id: UUID) -> bool:
        if await self._files.find_one({"_id": str(attachment_id)}, {"_id": 1}) is None:
            return False
        winner = await self._claim(str(attachment_id), str(submission_id))
        if winner != str(submission_id):
            return False
        # The description follows the claim (a crash in between is repaired by binding again, or by the sweep).
        await self._files.update_one({"_id": str(attachment_id)}, _bound(winner))
        return True

    async def _forget_one(self, file_id: str) -> int:
        winner = await self._claim(file_id, None)
        if winner is not None:  # a submission claimed it first: it stays, described as bound
            await self._files.update_one({"_id": file_id}, _bound(winner))
            return 0
        await self._files.delete_one({"_id": file_id})
        await self._chunks.delete_many({"files_id": file_id})
        return 1

    async def _claim(self, file_id: str, submission_id: str | None) -> str | None:
        """The submission id the file is claimed for: this one if the claim is new, else the earlier one (None for
        the sweep's)."""
        try:
            await self._bindings.insert_one(
                {"_id": file_id, "submission_id": submission_id, "claimed_at": datetime.now(UTC)}
            )
        except DuplicateKeyError:
            earlier = await self._bindings.find_one({"_id": file_id})
            return earlier.get("submission_id") if earlier else None
        return submission_id


def _bound(submission_id: str) -> Document:
    return {"$set": {"metadata.state": "bound", "metadata.submission_id": submission_id}}


def _stored(file: dict[str, Any], submission_id: UUID | None) -> StoredAttachment:
    metadata = file["metadata"]
    uploaded_at: datetime = file["uploadDate"]
    return StoredAttachment(
        ref=AttachmentRef(
            attachment_id=UUID(file["_id"]),
            sha256=metadata["sha256"],
            media_type=metadata["media_type"],
            size=file["length"],
        ),
        service_id=metadata["service_id"],
        filename=file["filename"],
        uploaded_at=uploaded_at if uploaded_at.tzinfo else uploaded_at.replace(tzinfo=UTC),
        submission_id=submission_id,
    )
