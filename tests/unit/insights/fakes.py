"""Hand-written fakes of insights' ports (the real ones: tests/integration/test_insights_store.py)."""

from collections import Counter
from dataclasses import replace
from datetime import date, datetime
from uuid import UUID

from civicflow.insights.domain.applications import Application, Progress
from civicflow.insights.domain.contributions import Bucket, Contribution, Mark
from civicflow.insights.domain.percentiles import bucket_of
from civicflow.insights.domain.totals import DayTotals

COUNTERS = ("funnel", "outcomes", "rejections", "error_fields", "scores")


class FakeDays:
    def __init__(self) -> None:
        self.buckets: dict[Bucket, dict[str, Counter[str]]] = {}
        self.durations: dict[Bucket, dict[str, Counter[str]]] = {}
        self.marks: set[Mark] = set()

    async def first(self, mark: Mark) -> bool:
        if mark in self.marks:
            return False
        self.marks.add(mark)
        return True

    async def add(self, contribution: Contribution) -> None:
        bucket = contribution.bucket
        counts = self.buckets.setdefault(bucket, {})
        for name in COUNTERS:
            counts.setdefault(name, Counter()).update(str(key) for key in getattr(contribution, name))
        for kind, seconds in contribution.durations.items():
            self.durations.setdefault(bucket, {}).setdefault(kind, Counter())[bucket_of(seconds)] += 1

    async def totals(self, service_id: str, first: date, last: date) -> list[DayTotals]:
        return [
            DayTotals(
                bucket,
                funnel=counts.get("funnel", Counter()),
                outcomes=counts.get("outcomes", Counter()),
                rejections=counts.get("rejections", Counter()),
                error_fields=counts.get("error_fields", Counter()),
                scores=counts.get("scores", Counter()),
                durations=self.durations.get(bucket, {}),
            )
            for bucket, counts in self.buckets.items()
            if bucket.service_id == service_id and first <= bucket.day <= last
        ]


class FakeApplications:
    def __init__(self) -> None:
        self.kept: dict[UUID, Application] = {}
        self.marks: dict[UUID, set[str]] = {}
        self.closed: dict[UUID, datetime] = {}

    async def keep(self, application: Application, mark: str) -> bool:
        self.kept.setdefault(application.submission_id, application)
        return self._first(application.submission_id, mark)

    async def progress(self, progress: Progress) -> Application | None:
        before = self.kept.get(progress.submission_id)
        if before is None or not self._first(progress.submission_id, progress.mark):
            return None
        if progress.agency_id is not None:
            self.kept[progress.submission_id] = replace(before, agency_id=progress.agency_id)
        if progress.closed_at is not None:
            self.closed[progress.submission_id] = progress.closed_at
        return before

    async def known(self, submission_id: UUID) -> bool:
        return submission_id in self.kept

    async def waiting_since(self, service_id: str, agency_id: str | None, cutoff: datetime) -> int:
        return sum(
            1
            for application in self.kept.values()
            if application.service_id == service_id
            and application.submission_id not in self.closed
            and application.received_at < cutoff
            and agency_id in (None, application.agency_id)
        )

    def _first(self, submission_id: UUID, mark: str) -> bool:
        marks = self.marks.setdefault(submission_id, set())
        if mark in marks:
            return False
        marks.add(mark)
        return True
