"""Hand-written fakes of insights' ports (the real ones: tests/integration/test_insights_store.py)."""

from collections import Counter
from collections.abc import Sequence
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

    async def first(self, marks: Sequence[Mark]) -> list[bool]:
        first = []
        for mark in marks:
            first.append(mark not in self.marks)
            self.marks.add(mark)
        return first

    async def add(self, contributions: Sequence[Contribution]) -> None:
        for contribution in contributions:
            bucket = contribution.bucket
            counts = self.buckets.setdefault(bucket, {})
            for name in COUNTERS:
                counts.setdefault(name, Counter()).update({str(key) for key in getattr(contribution, name)})
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
        self.closed: dict[UUID, datetime] = {}

    async def keep(self, applications: Sequence[Application]) -> None:
        for application in applications:
            self.kept.setdefault(application.submission_id, application)

    async def progress(self, changes: Sequence[Progress]) -> list[Application | None]:
        return [self._progress(change) for change in changes]

    async def waiting_since(self, service_id: str, agency_id: str | None, cutoff: datetime) -> int:
        return sum(
            1
            for application in self.kept.values()
            if application.service_id == service_id
            and application.submission_id not in self.closed
            and application.received_at < cutoff
            and agency_id in (None, application.agency_id)
        )

    def _progress(self, change: Progress) -> Application | None:
        before = self.kept.get(change.submission_id)
        if before is None:
            return None
        if change.agency_id is not None and before.agency_id is None:
            self.kept[change.submission_id] = replace(before, agency_id=change.agency_id)
        if change.closed_at is not None:
            self.closed.setdefault(change.submission_id, change.closed_at)
        return before
