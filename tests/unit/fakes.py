"""Hand-written fakes for the ports, for unit tests only (the real adapters are tested in integration/)."""

from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from uuid import UUID

from pydantic import BaseModel

from civicflow.identity.domain.replay import TokenUse
from civicflow.routing.handlers import Delivered, Waiting
from civicflow.shared.events import IdentityVerified, Profile
from civicflow.shared.messaging import StoreUnavailable


class FakePublisher:
    """Events and raw records (bytes, e.g. an application encrypted for its agency) in the order published; the
    headers of each raw record by its position."""

    def __init__(self, fail: bool = False) -> None:
        self.published: list[tuple[str, BaseModel | bytes, str]] = []
        self.headers: dict[int, dict[str, str]] = {}
        self.fail = fail

    async def publish(self, topic: str, event: BaseModel, key: str) -> None:
        if self.fail:
            raise ConnectionError("kafka unavailable")
        self.published.append((topic, event, key))

    async def publish_bytes(self, topic: str, value: bytes, key: str, headers: Mapping[str, str]) -> None:
        if self.fail:
            raise ConnectionError("kafka unavailable")
        self.headers[len(self.published)] = dict(headers)
        self.published.append((topic, value, key))

    def topics(self) -> list[str]:
        return [topic for topic, _, _ in self.published]


class FakeProcessedEvents:
    def __init__(self) -> None:
        self.ids: set[UUID] = set()
        self.writes = 0
        self.failing = False

    async def seen(self, event_ids: Sequence[UUID]) -> set[UUID]:
        return self.ids & set(event_ids)

    async def add(self, event_ids: Sequence[UUID]) -> None:
        if self.failing:
            raise StoreUnavailable("store down")
        self.writes += 1
        self.ids.update(event_ids)


class FakeTokenUses:
    """Identity's record of token uses: the first claim of an (issuer, jti) wins."""

    def __init__(self) -> None:
        self.uses: dict[tuple[str, str], TokenUse] = {}
        self.failing = False

    async def claim(self, use: TokenUse) -> UUID:
        if self.failing:
            raise StoreUnavailable("store down")
        return self.uses.setdefault((use.issuer, use.token_id), use).submission_id


class FakeProfiles:
    """Identity's profiles: a version is kept unless a newer one is, or the citizen erased theirs since it was
    given (as adapters.mongo_profiles keeps them)."""

    def __init__(self) -> None:
        self.kept: dict[str, tuple[Profile, datetime]] = {}
        self.erased: dict[str, datetime] = {}
        self.failing = False

    async def save(self, citizen_id: str, profile: Profile, at: datetime) -> bool:
        if self.failing:
            raise StoreUnavailable("store down")
        erased, kept = self.erased.get(citizen_id), self.kept.get(citizen_id)
        if (erased is not None and erased >= at) or (kept is not None and kept[1] > at):
            return False
        self.kept[citizen_id] = (profile, at)
        return True

    async def get(self, citizen_id: str) -> Profile | None:
        kept = self.kept.get(citizen_id)
        return kept[0] if kept else None

    async def erase(self, citizen_id: str, at: datetime) -> None:
        if self.failing:
            raise StoreUnavailable("store down")
        self.erased[citizen_id] = max(at, self.erased.get(citizen_id, at))
        kept = self.kept.get(citizen_id)
        if kept is not None and kept[1] <= at:
            del self.kept[citizen_id]


class FakeWaitingApplications:
    """Routing's applications waiting for the citizen's answer, by submission id (as adapters.mongo_waiting keeps
    them: kept once, a second keep of the same submission changes nothing)."""

    def __init__(self) -> None:
        self.waiting: dict[UUID, Waiting] = {}
        self.since: dict[UUID, datetime] = {}  # when each began to wait
        self.erased: dict[str, datetime] = {}

    async def keep(self, event: IdentityVerified, choices: tuple[str, ...]) -> None:
        self.waiting.setdefault(event.submission_id, Waiting(event, choices))
        self.since.setdefault(event.submission_id, datetime.now(UTC))

    async def find(self, submission_id: UUID) -> Waiting | None:
        return self.waiting.get(submission_id)

    async def release(self, submission_id: UUID) -> None:
        self.waiting.pop(submission_id, None)

    async def of_citizen(self, citizen_id: str) -> list[Waiting]:
        return [kept for kept in self.waiting.values() if kept.event.citizen_id == citizen_id]

    async def remember_erasure(self, citizen_id: str, at: datetime) -> None:
        self.erased[citizen_id] = max(at, self.erased.get(citizen_id, at))

    async def erased_since(self, citizen_id: str, at: datetime) -> bool:
        return citizen_id in self.erased and self.erased[citizen_id] >= at

    async def older_than(self, cutoff: datetime, limit: int) -> list[Waiting]:
        found = sorted((at, kept) for kept, at in ((kept, self.since[key]) for key, kept in self.waiting.items()))
        return [kept for at, kept in found if at < cutoff][:limit]


class FakeDeliveries:
    """Routing's record of delivered applications, by submission id (as adapters.mongo_deliveries keeps them)."""

    def __init__(self) -> None:
        self.delivered: dict[UUID, Delivered] = {}

    async def record(self, delivered: Sequence[Delivered]) -> None:
        for each in delivered:
            self.delivered.setdefault(each.submission_id, each)

    async def find(self, submission_id: UUID) -> Delivered | None:
        return self.delivered.get(submission_id)

    async def decide(self, submission_id: UUID, decision_id: UUID) -> None:
        self._change(submission_id, decided_by=decision_id)

    async def ask(self, submission_id: UUID, decision_id: UUID) -> None:
        found = self.delivered[submission_id]
        self._change(submission_id, requests=tuple(dict.fromkeys((*found.requests, decision_id))))

    async def answered(self, submission_id: UUID, request_id: UUID) -> None:
        found = self.delivered[submission_id]
        self._change(submission_id, answered=tuple(dict.fromkeys((*found.answered, request_id))))

    async def forget_citizen(self, citizen_id: str) -> int:
        mine = [key for key, found in self.delivered.items() if found.citizen_id == citizen_id]
        for key in mine:
            del self.delivered[key]
        return len(mine)

    def _change(self, submission_id: UUID, **changes: object) -> None:
        if submission_id in self.delivered:
            self.delivered[submission_id] = replace(self.delivered[submission_id], **changes)  # type: ignore[arg-type]
