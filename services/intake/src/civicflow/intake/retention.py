"""Intake's retention: what a citizen gave with an application is kept while the case is open, and for a while
after it closed; then it is forgotten (README, "How long intake keeps an application").

The citizen's details, the form's answers and the attached files serve the open case: intake carries the citizen's
answers to the agency's questions, and the agency fetches the files. The agency keeps its own file; once the case
closed (the agency's final decision, or identity or routing stopped it: domain.retention) intake keeps its copy
`retention_days` longer, then forgets it. The application's reference, service, status timeline and status link stay,
so the link still answers. A rating's comment, free text, goes `comment_retention_days` after it was written; its
score stays. FerretDB has no TTL index, so a sweep looks once an hour."""

import asyncio
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Protocol
from uuid import UUID

from civicflow.intake.config import IntakeRetention

logger = logging.getLogger(__name__)

SWEEP_INTERVAL_SECONDS = 3600.0
# Closed applications forgotten per round of a sweep (the sweep goes on until none is left).
BATCH = 500


class ClosedCases(Protocol):
    async def closed_before(self, moment: datetime, limit: int) -> list[UUID]:
        """Applications closed before `moment` whose details are still kept, at most `limit`."""

    async def forget_details(self, submission_ids: Sequence[UUID]) -> None:
        """Forget what the citizen gave with these closed applications (their details, the form's answers, the
        pending event that seals them), and that they are waiting to be forgotten."""


class AttachedFiles(Protocol):
    async def forget_of(self, submission_ids: Sequence[UUID]) -> int:
        """Forget the files these applications bound; how many."""


class RatingComments(Protocol):
    async def forget_comments(self, written_before: datetime) -> int:
        """Forget the comments of ratings given before `written_before` (their scores stay); how many."""


@dataclass(frozen=True)
class Forgotten:
    applications: int
    files: int
    comments: int


@dataclass(frozen=True)
class Retention:
    cases: ClosedCases
    files: AttachedFiles
    comments: RatingComments
    settings: IntakeRetention

    async def sweep(self, now: datetime) -> Forgotten:
        """Forgets what is past its retention at `now`. The files go before the details, and the details with the
        mark that they are due: a sweep that stopped halfway is finished by the next."""
        closed_before = now - timedelta(days=self.settings.retention_days)
        applications = files = 0
        while True:
            due = await self.cases.closed_before(closed_before, BATCH)
            if not due:
                break
            files += await self.files.forget_of(due)
            await self.cases.forget_details(due)
            applications += len(due)
            if len(due) < BATCH:
                break
        comments = await self.comments.forget_comments(now - timedelta(days=self.settings.comment_retention_days))
        return Forgotten(applications, files, comments)

    async def run(self) -> None:
        """A background job for the service's lifetime (a failure starts it again: shared.app)."""
        while True:
            forgotten = await self.sweep(datetime.now(UTC))
            if forgotten != Forgotten(0, 0, 0):
                logger.info(
                    "retention: forgot the details of %d closed applications, %d files, %d rating comments",
                    forgotten.applications,
                    forgotten.files,
                    forgotten.comments,
                )
            await asyncio.sleep(SWEEP_INTERVAL_SECONDS)
