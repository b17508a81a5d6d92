"""One bucket's totals as the store keeps them (counters only, durations as counts per histogram bucket:
domain.percentiles), and adding buckets up (over agencies, over days)."""

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date

from civicflow.insights.domain.contributions import NO_AGENCY, Bucket
from civicflow.insights.domain.measures import Duration


@dataclass(frozen=True)
class DayTotals:
    bucket: Bucket
    funnel: Mapping[str, int] = field(default_factory=dict)
    outcomes: Mapping[str, int] = field(default_factory=dict)
    rejections: Mapping[str, int] = field(default_factory=dict)
    error_fields: Mapping[str, int] = field(default_factory=dict)
    scores: Mapping[str, int] = field(default_factory=dict)
    # {kind: {histogram bucket: n}}
    durations: Mapping[str, Mapping[str, int]] = field(default_factory=dict)


@dataclass
class Sum:
    funnel: Counter[str] = field(default_factory=Counter)
    outcomes: Counter[str] = field(default_factory=Counter)
    rejections: Counter[str] = field(default_factory=Counter)
    error_fields: Counter[str] = field(default_factory=Counter)
    scores: Counter[str] = field(default_factory=Counter)
    durations: dict[Duration, Counter[str]] = field(default_factory=lambda: {kind: Counter() for kind in Duration})

    def add(self, totals: DayTotals) -> None:
        self.funnel.update(totals.funnel)
        self.outcomes.update(totals.outcomes)
        self.rejections.update(totals.rejections)
        self.error_fields.update(totals.error_fields)
        self.scores.update(totals.scores)
        for kind in Duration:
            self.durations[kind].update(totals.durations.get(kind, {}))


def in_scope(days: Iterable[DayTotals], agency_id: str | None) -> list[DayTotals]:
    """For one agency: its buckets, and those of what happens before an agency is chosen (the page, identity,
    routing's refusals, the ratings), which belong to the service as a whole."""
    return [day for day in days if agency_id is None or day.bucket.agency_id in (agency_id, NO_AGENCY)]


def summed(days: Iterable[DayTotals]) -> Sum:
    total = Sum()
    for day in days:
        total.add(day)
    return total


def by_day(days: Iterable[DayTotals]) -> dict[date, Sum]:
    found: dict[date, Sum] = {}
    for day in sorted(days, key=lambda each: each.bucket):
        found.setdefault(day.bucket.day, Sum()).add(day)
    return found
