"""Attachments in the real document store: FerretDB 1.24 over PostgreSQL (or the
MongoDB that MONGODB_URI names). GridFS's files and chunks, the binding of files to submissions, and the sweep."""

import asyncio
import hashlib
import math
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import uuid4

import pytest
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from civicflow.intake.adapters.mongo_attachments import BUCKET, UNBOUND_RETENTION_HOURS, MongoAttachments
from civicflow.intake.domain.attachments import (
    AttachmentDamaged,
    AttachmentsNotBindable,
    CheckedUpload,
    check_upload,
)
from civicflow.intake.domain.catalogue import Catalogue
from tests.support.sample_files import jpeg, pdf, png

pytestmark = pytest.mark.integration

Database = AsyncDatabase[dict[str, Any]]
SERVICE = "99050012104000"
CHUNK = 255 * 1024  # GridFS's default chunk size


def checked(name: str, data: bytes) -> CheckedUpload:
    upload = check_upload(Catalogue.bundled().services[SERVICE].attachments, name, None, data)
    assert isinstance(upload, CheckedUpload)
    return upload


async def aged(database: Database, attachment_id: object, hours: float) -> None:
    """As if uploaded `hours` ago."""
    then = datetime.now(UTC) - timedelta(hours=hours)
    await database[f"{BUCKET}.files"].update_one({"_id": str(attachment_id)}, {"$set": {"uploadDate": then}})


async def test_an_upload_is_kept_pending_with_its_description(database: Database) -> None:
    attachments = MongoAttachments(database)
    await attachments.prepare()
    upload = checked("Scan vom 3.5.pdf", pdf(100))
    ref = await attachments.put(SERVICE, upload)
    assert (ref.sha256, ref.media_type, ref.size) == (
        hashlib.sha256(upload.data).hexdigest(),
        "application/pdf",
        len(upload.data),
    )

    found = await attachments.find([ref.attachment_id, uuid4()])
    assert list(found) == [ref.attachment_id]
    stored = found[ref.attachment_id]
    assert (stored.ref, stored.service_id, stored.filename, stored.state) == (
        ref,
        SERVICE,
        "Scan vom 3.5.pdf",
        "pending",
    )
    assert datetime.now(UTC) - stored.uploaded_at < timedelta(minutes=1)
    file = await database[f"{BUCKET}.files"].find_one({"_id": str(ref.attachment_id)})
    assert file is not None and file["length"] == ref.size and file["filename"] == "Scan vom 3.5.pdf"
    assert file["metadata"] == {
        "sha256": ref.sha256,
        "media_type": "application/pdf",
        "service_id": SERVICE,
        "state": "pending",
        "submission_id": None,
    }


@pytest.mark.parametrize("size", [1, CHUNK - 1, CHUNK, CHUNK + 1, 3 * CHUNK + 17, 5 * 1024 * 1024 - 600])
async def test_the_bytes_come_back_identical_whatever_their_chunks(database: Database, size: int) -> None:
    attachments = MongoAttachments(database)
    upload = checked("big.pdf", pdf(size))
    ref = await attachments.put(SERVICE, upload)
    assert await attachments.open(ref.attachment_id) == upload.data
    chunks = database[f"{BUCKET}.chunks"].find({"files_id": str(ref.attachment_id)}, {"n": 1, "data": 1})
    numbers, lengths = [], []
    async for chunk in chunks:
        numbers.append(chunk["n"])
        lengths.append(len(chunk["data"]))
    assert sorted(numbers) == list(range(math.ceil(ref.size / CHUNK)))
    assert sum(lengths) == ref.size and max(lengths) <= CHUNK


async def test_the_chunk_index_is_unique_as_gridfs_needs(database: Database) -> None:
    attachments = MongoAttachments(database)
    await attachments.prepare()
    chunks = database[f"{BUCKET}.chunks"]
    indexes = {index["name"]: index async for index in await chunks.list_indexes()}
    assert indexes["files_id_1_n_1"]["key"] == {"files_id": 1, "n": 1} and indexes["files_id_1_n_1"]["unique"]
    ref = await attachments.put(SERVICE, checked("plan.png", png(40, 40, noise=True)))
    with pytest.raises(DuplicateKeyError):
        await chunks.insert_one({"files_id": str(ref.attachment_id), "n": 0, "data": b"a second chunk 0"})


async def test_a_file_whose_stored_bytes_changed_is_not_handed_out(database: Database) -> None:
    attachments = MongoAttachments(database)
    chunks = database[f"{BUCKET}.chunks"]
    flipped, cut = [await attachments.put(SERVICE, checked("photo.jpg", jpeg())) for _ in range(2)]
    stored = jpeg()
    await chunks.update_one({"files_id": str(flipped.attachment_id)}, {"$set": {"data": stored[:-1] + b"\x00"}})
    await chunks.update_one({"files_id": str(cut.attachment_id)}, {"$set": {"data": stored[:-1]}})
    for damaged in (flipped, cut):
        with pytest.raises(AttachmentDamaged):
            await attachments.open(damaged.attachment_id)
    assert await attachments.open(uuid4()) is None


async def test_files_are_bound_to_one_submission_and_again_to_the_same(database: Database) -> None:
    attachments = MongoAttachments(database)
    first, second, third = [await attachments.put(SERVICE, checked(f"{n}.pdf", pdf(n))) for n in (1, 2, 3)]
    submission, other = uuid4(), uuid4()

    await attachments.bind([first.attachment_id, second.attachment_id], submission)
    await attachments.bind([first.attachment_id, second.attachment_id], submission)  # a retry: nothing changes
    found = await attachments.find([first.attachment_id, second.attachment_id, third.attachment_id])
    assert [found[ref.attachment_id].submission_id for ref in (first, second, third)] == [submission, submission, None]
    file = await database[f"{BUCKET}.files"].find_one({"_id": str(first.attachment_id)})
    assert file is not None and file["metadata"]["state"] == "bound"
    assert file["metadata"]["submission_id"] == str(submission)

    unknown = uuid4()
    with pytest.raises(AttachmentsNotBindable) as refused:
        await attachments.bind([third.attachment_id, first.attachment_id, unknown], other)
    assert refused.value.attachment_ids == [first.attachment_id, unknown]
    found = await attachments.find([first.attachment_id, third.attachment_id])
    assert (found[first.attachment_id].submission_id, found[third.attachment_id].submission_id) == (submission, other)


async def test_of_many_submissions_binding_one_file_at_once_exactly_one_wins(database: Database) -> None:
    # FerretDB 1.24 applies an update by reading the matching documents and then writing each by its _id: a filter
    # "not bound yet" would let several submissions win at once. An insert keyed by the file's id lets one.
    attachments = MongoAttachments(database)
    ref = await attachments.put(SERVICE, checked("scan.pdf", pdf()))
    submissions = [uuid4() for _ in range(20)]
    results = await asyncio.gather(
        *(attachments.bind([ref.attachment_id], submission) for submission in submissions), return_exceptions=True
    )
    winners = [submission for submission, result in zip(submissions, results, strict=True) if result is None]
    assert len(winners) == 1
    assert all(isinstance(result, AttachmentsNotBindable) for result in results if result is not None)
    assert (await attachments.find([ref.attachment_id]))[ref.attachment_id].submission_id == winners[0]


async def test_the_sweep_forgets_only_old_unbound_uploads(database: Database) -> None:
    attachments = MongoAttachments(database)
    old, bound, new = [await attachments.put(SERVICE, checked(f"{n}.png", png(n, n))) for n in (300, 2, 3)]
    await attachments.bind([bound.attachment_id], uuid4())
    for ref in (old, bound):
        await aged(database, ref.attachment_id, UNBOUND_RETENTION_HOURS + 1)
    await aged(database, new.attachment_id, UNBOUND_RETENTION_HOURS - 1)

    assert await attachments.forget_unbound(datetime.now(UTC) - timedelta(hours=UNBOUND_RETENTION_HOURS)) == 1
    assert list(await attachments.find([old.attachment_id, bound.attachment_id, new.attachment_id])) == [
        bound.attachment_id,
        new.attachment_id,
    ]
    assert await attachments.open(old.attachment_id) is None
    assert await database[f"{BUCKET}.chunks"].count_documents({"files_id": str(old.attachment_id)}) == 0
    with pytest.raises(AttachmentsNotBindable):  # forgotten: a submission that names it now is refused
        await attachments.bind([old.attachment_id], uuid4())

    # The sweep's own claims are forgotten as its files were, a retention later.
    bindings = database["attachment_bindings"]
    assert await bindings.count_documents({"submission_id": None}) == 1
    await attachments.forget_unbound(datetime.now(UTC) + timedelta(hours=UNBOUND_RETENTION_HOURS))
    assert await bindings.count_documents({"submission_id": None}) == 1  # now the new one's
    assert list(await attachments.find([bound.attachment_id, new.attachment_id])) == [bound.attachment_id]


async def test_a_file_bound_before_its_description_said_so_survives_the_sweep(database: Database) -> None:
    """A crash between a submission's claim and the update of the file's description leaves it "pending" there."""
    attachments = MongoAttachments(database)
    ref = await attachments.put(SERVICE, checked("scan.pdf", pdf()))
    submission = uuid4()
    await attachments.bind([ref.attachment_id], submission)
    files = database[f"{BUCKET}.files"]
    await files.update_one({"_id": str(ref.attachment_id)}, {"$set": {"metadata.state": "pending"}})
    await aged(database, ref.attachment_id, UNBOUND_RETENTION_HOURS + 1)

    assert await attachments.forget_unbound(datetime.now(UTC) - timedelta(hours=UNBOUND_RETENTION_HOURS)) == 0
    assert (await attachments.find([ref.attachment_id]))[ref.attachment_id].submission_id == submission
    file = await files.find_one({"_id": str(ref.attachment_id)})
    assert file is not None and file["metadata"]["state"] == "bound"
