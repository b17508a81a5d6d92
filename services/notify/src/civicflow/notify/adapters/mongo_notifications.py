"""Notify's notifications in its own database (domain.notifications):

- "steps" {_id: event id, submission_id, at, tells, note: the StepNote's JSON (personal parts sealed),
  notification_id: null until a message tells of it, trace: its W3C trace context}, indexed by submission_id;
- "windows" {_id: submission id, opened_by: event id, due}, indexed by due: one open window per application, few
  at any time (each lives for the coalescing window);
- "notifications" {_id: notification id, submission_id, note, about, verified, sender, status_link, rating_link,
  status, attempts, channel, reason, created_at, updated_at}.

What must happen once is an insert keyed by _id (a step, a window, a notification), the one write FerretDB makes
atomic; a second writer finds the duplicate and leaves it. Updates set values on one document by _id. Lookups are
by _id, or by equality on an indexed field, or the few open windows by their time; forgetting (an erasure, the
hourly sweep) reads more."""

import asyncio
from collections.abc import Sequence
from datetime import UTC, datetime
from uuid import UUID

from pymongo import ASCENDING, ReturnDocument
from pymongo.asynchronous.database import AsyncDatabase

from civicflow.notify.domain.notes import StepNote
from civicflow.notify.domain.notifications import KeptStep, Notification, Window
from civicflow.shared.events import NotificationStatus, Step
from civicflow.shared.events.notify import SETTLED_STATUSES
from civicflow.shared.mongo import Document, insert_new
from civicflow.shared.security.sealing import Sealed


class MongoNotifications:
    def __init__(self, database: AsyncDatabase[Document]) -> None:
        self._steps = database["steps"]
        self._windows = database["windows"]
        self._notifications = database["notifications"]
        self._indexed = False

    async def keep(self, steps: Sequence[KeptStep]) -> list[KeptStep]:
        if not steps:
            return []
        await self._index()
        again = await insert_new(self._steps, [_step_document(step) for step in steps])
        if not again:
            return list(steps)
        # Delivered again: told already, unless the first delivery ended before its window was opened.
        # One lookup per step, by _id: FerretDB answers an `$in` by reading the whole collection.
        ids = [str(steps[position].note.event_id) for position in again]
        found = await asyncio.gather(*(self._steps.find_one({"_id": id_}, {"notification_id": 1}) for id_ in ids))
        told = {document["_id"] for document in found if document is not None and document.get("notification_id")}
        return [step for step in steps if str(step.note.event_id) not in told]

    async def open(self, windows: Sequence[Window]) -> None:
        if windows:
            await insert_new(self._windows, [_window_document(window) for window in windows])

    async def earliest(self, limit: int) -> list[Window]:
        await self._index()
        found = self._windows.find().sort("due", ASCENDING).limit(limit)
        return [_window(document) async for document in found]

    async def steps_of(self, submission_id: UUID) -> list[KeptStep]:
        found = self._steps.find({"submission_id": str(submission_id)})
        steps = [_kept_step(document) async for document in found]
        return sorted(steps, key=lambda step: step.at)

    async def create(self, notification: Notification, told: Sequence[UUID]) -> None:
        await insert_new(self._notifications, [_notification_document(notification)])
        told_by = {"$set": {"notification_id": str(notification.notification_id)}}
        await asyncio.gather(*(self._steps.update_one({"_id": str(event_id)}, told_by) for event_id in told))

    async def close(self, window: Window) -> None:
        await self._windows.delete_one({"_id": str(window.submission_id), "opened_by": str(window.opened_by)})

    async def get(self, notification_id: UUID) -> Notification | None:
        found = await self._notifications.find_one({"_id": str(notification_id)})
        return None if found is None else _notification(found)

    async def begin(self, notification_id: UUID) -> Notification | None:
        # One round trip. Its only writer is the consumer of its due record's partition, one at a time.
        found = await self._notifications.find_one_and_update(
            {"_id": str(notification_id), "status": {"$nin": [str(status) for status in SETTLED_STATUSES]}},
            {"$inc": {"attempts": 1}, "$set": {"updated_at": datetime.now(UTC)}},
            return_document=ReturnDocument.AFTER,
        )
        return None if found is None else _notification(found)

    async def settle(self, notification_id: UUID, status: NotificationStatus, channel: str, reason: str | None) -> None:
        changes = {"status": str(status), "channel": channel, "reason": reason, "updated_at": datetime.now(UTC)}
        await self._notifications.update_one({"_id": str(notification_id)}, {"$set": changes})

    async def forget_citizen(self, citizen_id: str) -> int:
        await self._index()
        found = self._steps.find({"note.citizen_id": citizen_id}, {"submission_id": 1})
        return await self._forget({document["submission_id"] async for document in found})

    async def forget_before(self, moment: datetime) -> int:
        await self._index()
        heard = self._steps.find({}, {"submission_id": 1, "at": 1})
        latest: dict[str, datetime] = {}
        async for document in heard:
            submission_id, at = document["submission_id"], document["at"]
            latest[submission_id] = max(at, latest.get(submission_id, at))
        return await self._forget({submission_id for submission_id, at in latest.items() if at < moment})

    async def _forget(self, submission_ids: set[str]) -> int:
        if submission_ids:
            chosen = {"submission_id": {"$in": sorted(submission_ids)}}
            await self._steps.delete_many(chosen)
            await self._notifications.delete_many(chosen)
            await self._windows.delete_many({"_id": {"$in": sorted(submission_ids)}})
        return len(submission_ids)

    async def _index(self) -> None:
        if not self._indexed:
            await self._steps.create_index("submission_id")
            await self._steps.create_index("note.citizen_id")
            await self._notifications.create_index("submission_id")
            await self._windows.create_index("due")
            self._indexed = True


def _step_document(step: KeptStep) -> Document:
    return {
        "_id": str(step.note.event_id),
        "submission_id": str(step.note.submission_id),
        "at": step.at,
        "tells": step.tells,
        "note": step.note.model_dump(mode="json"),
        "notification_id": None if step.notification_id is None else str(step.notification_id),
        "trace": dict(step.trace),
    }


def _kept_step(document: Document) -> KeptStep:
    notification_id = document.get("notification_id")
    return KeptStep(
        note=StepNote.model_validate(document["note"]),
        tells=bool(document["tells"]),
        at=document["at"],
        notification_id=None if notification_id is None else UUID(notification_id),
        trace=document.get("trace") or {},
    )


def _window_document(window: Window) -> Document:
    return {"_id": str(window.submission_id), "opened_by": str(window.opened_by), "due": window.due}


def _window(document: Document) -> Window:
    return Window(UUID(document["_id"]), UUID(document["opened_by"]), document["due"])


def _notification_document(notification: Notification) -> Document:
    now = datetime.now(UTC)
    return {
        "_id": str(notification.notification_id),
        "submission_id": str(notification.submission_id),
        "note": notification.note.model_dump(mode="json"),
        "about": [str(step) for step in notification.about],
        "verified": notification.verified,
        "sender": notification.sender,
        "status_link": _sealed_document(notification.status_link),
        "rating_link": _sealed_document(notification.rating_link),
        "status": str(notification.status),
        "attempts": notification.attempts,
        "channel": notification.channel,
        "reason": None,
        "created_at": now,
        "updated_at": now,
    }


def _notification(document: Document) -> Notification:
    return Notification(
        notification_id=UUID(document["_id"]),
        submission_id=UUID(document["submission_id"]),
        note=StepNote.model_validate(document["note"]),
        about=tuple(Step(step) for step in document["about"]),
        verified=bool(document["verified"]),
        sender=document.get("sender"),
        status_link=_sealed(document.get("status_link")),
        rating_link=_sealed(document.get("rating_link")),
        status=NotificationStatus(document["status"]),
        attempts=int(document.get("attempts", 0)),
        channel=document.get("channel"),
        reason=document.get("reason"),
    )


def _sealed_document(value: Sealed | None) -> Document | None:
    return None if value is None else value.model_dump(mode="json")


def _sealed(document: Document | None) -> Sealed | None:
    return None if document is None else Sealed.model_validate(document)
