"""The citizen's rating of their application, from the rating page (web.rating): kept once per submission, with its
ServiceRated event in the same document (an outbox, as accepted submissions are kept: handlers.accept_submission),
and handed to a relay that publishes it. Kafka down, the rating is kept all the same and published once it is back;
the citizen never waits for Kafka."""

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Protocol
from uuid import UUID

from civicflow.intake.domain.messages import Language
from civicflow.intake.domain.outbox import OutgoingEvent
from civicflow.intake.domain.rating import Rating, closing_outcome, outgoing, rated_event
from civicflow.intake.domain.submission import SubmissionRecord
from civicflow.intake.handlers import Relay


class RatingStore(Protocol):
    async def add(self, submission_id: UUID, rating: Rating, outgoing: OutgoingEvent) -> bool:
        """The rating and its event, in one document write keyed by the submission: False when the submission is
        rated already (nothing is kept of this one)."""

    async def get(self, submission_id: UUID) -> Rating | None: ...

    async def commented(self, service_id: str, since: datetime, until: datetime, limit: int) -> list[Rating]:
        """The service's ratings with a comment given from `since` to before `until`, newest first, at most `limit`."""


# A page of comments for staff to read; a longer period is read in parts.
MAX_COMMENTS = 500


class NotDecided(Exception):
    """The agency has not closed the case yet (no decision, or it asks for information): nothing to rate."""


class RatedAlready(Exception):
    """The submission was rated before; this rating is not kept."""


class RatingNotStored(Exception):
    """The rating could not be stored now; nothing was kept, and the citizen may send it again."""


@dataclass(frozen=True)
class Ratings:
    store: RatingStore
    relay: Relay

    async def rated(self, submission_id: UUID) -> Rating | None:
        return await self.store.get(submission_id)

    async def comments(self, service_id: str, since: datetime, until: datetime) -> list[Rating]:
        """For staff (entrypoints.comments_http): what citizens wrote with their rating, never who or which case."""
        return await self.store.commented(service_id, since, until, MAX_COMMENTS)

    async def rate(self, record: SubmissionRecord, score: int, comment: str | None, language: Language) -> Rating:
        """`score` and `comment` as domain.rating.checked gives them. Raises NotDecided, RatedAlready or
        RatingNotStored."""
        outcome = closing_outcome(record)
        if outcome is None:
            raise NotDecided
        rating = Rating(score, comment, record.service_id, outcome, language, datetime.now(UTC))
        event = outgoing(record, rated_event(rating))
        try:
            stored_now = await self.store.add(record.submission_id, rating, event)
        except Exception as error:
            raise RatingNotStored from error
        if not stored_now:
            raise RatedAlready
        self.relay.handoff(event)
        return rating
