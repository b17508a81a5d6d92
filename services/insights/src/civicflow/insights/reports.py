"""Insights' queries: a service's insights over a period (for administration staff) and its public performance."""

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Protocol

from civicflow.insights.domain.report import Insights, Performance, Period, insights, performance
from civicflow.insights.domain.totals import DayTotals


class DayReader(Protocol):
    async def totals(self, service_id: str, first: date, last: date) -> list[DayTotals]:
        """Every bucket of the service on those days (both included), all agencies."""


class WaitingReader(Protocol):
    async def waiting_since(self, service_id: str, agency_id: str | None, cutoff: datetime) -> int:
        """How many of the service's applications, received before `cutoff`, are not decided or stopped."""


@dataclass(frozen=True)
class Targets:
    """How long an application of a service should take to decide, in days."""

    default_days: float
    by_service: Mapping[str, float] = field(default_factory=dict)

    def days_for(self, service_id: str) -> float:
        return self.by_service.get(service_id, self.default_days)


async def read_insights(
    period: Period, days: DayReader, waiting: WaitingReader, targets: Targets, now: datetime
) -> Insights:
    target_days = targets.days_for(period.service_id)
    totals = await days.totals(period.service_id, period.first, period.last)
    late = await waiting.waiting_since(period.service_id, period.agency_id, now - timedelta(days=target_days))
    return insights(period, totals, target_days, late)


async def read_performance(period: Period, days: DayReader) -> Performance:
    return performance(period, await days.totals(period.service_id, period.first, period.last))
