"""Sign-ins in MongoDB: the pending ones (between leaving for the provider and coming back, by their `state`),
and the sessions of signed-in citizens (by a hash of the session cookie's secret), each with the ID token sealed
(events.personal.IDENTITY_TOKEN) and dropped when it expires or files its application."""

import asyncio
from dataclasses import asdict
from datetime import UTC, date, datetime, timedelta
from uuid import UUID, uuid5

from pymongo.asynchronous.database import AsyncDatabase

from civicflow.intake.domain.sign_in import PENDING_SECONDS, PendingSignIn, SignedIn, session_id
from civicflow.shared.events import personal
from civicflow.shared.mongo import Document
from civicflow.shared.security.sealing import Sealed, Sealer

SWEEP_SECONDS = 600
# The sealed ID token is bound to this (sessions have no submission id yet).
_SESSIONS = UUID("6b1d3c52-4c1e-4e8e-9a0f-5e0d1c2b3a49")


class MongoSignIns:
    def __init__(self, database: AsyncDatabase[Document], sealer: Sealer) -> None:
        self._pending = database["sign_ins_pending"]
        self._sessions = database["sessions"]
        self._sealer = sealer

    async def begin(self, pending: PendingSignIn) -> None:
        await self._pending.insert_one({"_id": pending.state} | _without_state(pending))

    async def take(self, state: str, now: datetime) -> PendingSignIn | None:
        """The pending sign-in, once (a `state` is single use), if it is not too old."""
        found = await self._pending.find_one_and_delete({"_id": state})
        if found is None:
            return None
        pending = PendingSignIn(state=found.pop("_id"), **found)
        created = pending.created_at.replace(tzinfo=pending.created_at.tzinfo or UTC)
        return pending if now - created < timedelta(seconds=PENDING_SECONDS) else None

    async def start(self, token: str, signed_in: SignedIn) -> None:
        key = session_id(token)
        sealed = self._sealer.seal(personal.IDENTITY_TOKEN, signed_in.id_token, _binding(key))
        document = asdict(signed_in) | {"id_token": sealed.model_dump(mode="json")}
        document["birth_date"] = signed_in.birth_date.isoformat()
        await self._sessions.insert_one({"_id": key} | document)

    async def get(self, token: str, now: datetime) -> SignedIn | None:
        key = session_id(token)
        found = await self._sessions.find_one({"_id": key})
        if found is None:
            return None
        expires = found["expires_at"].replace(tzinfo=found["expires_at"].tzinfo or UTC)
        if expires <= now:
            return None
        if not found.get("citizen_id"):  # begun before sessions held one: sign in again
            return None
        return SignedIn(
            given_name=found["given_name"],
            family_name=found["family_name"],
            birth_date=date.fromisoformat(found["birth_date"]),
            level=found["level"],
            expires_at=expires,
            id_token=self._sealer.open(
                personal.IDENTITY_TOKEN, Sealed.model_validate(found["id_token"]), _binding(key)
            ),
            citizen_id=found["citizen_id"],
        )

    def _opened(self, sealed: Document, key: str) -> str:
        return self._sealer.open(personal.IDENTITY_TOKEN, Sealed.model_validate(sealed), _binding(key))

    async def end(self, token: str) -> None:
        await self._sessions.delete_one({"_id": session_id(token)})

    async def sweep(self) -> None:
        """A background job: forget expired sessions and abandoned sign-ins (FerretDB has no TTL index)."""
        await self._sessions.create_index("expires_at")
        await self._pending.create_index("created_at")
        while True:
            await self.forget_expired(datetime.now(UTC))
            await asyncio.sleep(SWEEP_SECONDS)

    async def forget_expired(self, now: datetime) -> None:
        await self._sessions.delete_many({"expires_at": {"$lt": now}})
        await self._pending.delete_many({"created_at": {"$lt": now - timedelta(seconds=PENDING_SECONDS)}})


def _without_state(pending: PendingSignIn) -> Document:
    document = asdict(pending)
    del document["state"]
    return document


def _binding(key: str) -> UUID:
    return uuid5(_SESSIONS, key)
