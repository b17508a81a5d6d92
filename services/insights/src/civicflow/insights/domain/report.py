"""The insights of a service over a period, from its day totals: funnel, where people stumble, how long it takes,
outcomes, satisfaction; and the few public figures of its performance page."""

from collections import Counter
from dataclasses import dataclass
from datetime import date

from civicflow.insights.domain.measures import SCORES, Duration, FunnelStep, Outcome, RejectedBy
from civicflow.insights.domain.percentiles import Spread, spread
from civicflow.insights.domain.totals import DayTotals, Sum, in_scope, summed

TOP_FIELDS = 10


@dataclass(frozen=True)
class Period:
    service_id: str
    first: date
    last: date
    agency_id: str | None = None


@dataclass(frozen=True)
class FunnelEntry:
    step: str
    count: int
    # Of the step before (None for the first, or when the step before counted none).
    rate_from_previous: float | None
    dropped_out: int


@dataclass(frozen=True)
class FieldErrors:
    field: str
    count: int


@dataclass(frozen=True)
class Outcomes:
    rejections: dict[str, dict[str, int]]
    accepted: int
    clarification_requests: int
    information_requests: int
    abandoned: int


@dataclass(frozen=True)
class Ratings:
    count: int
    mean: float | None
    distribution: dict[str, int]
    commented: int


@dataclass(frozen=True)
class Insights:
    service_id: str
    agency_id: str | None
    first: date
    last: date
    funnel: list[FunnelEntry]
    completion_rate: float | None
    error_fields: list[FieldErrors]
    target_days: float
    durations: dict[str, Spread]
    # {kind: {histogram bucket: n}}, the buckets that counted any (domain.percentiles), for a chart of them.
    histograms: dict[str, dict[str, int]]
    waiting_over_target: int
    outcomes: Outcomes
    ratings: Ratings


@dataclass(frozen=True)
class Performance:
    service_id: str
    first: date
    last: date
    volume: int
    completion_rate: float | None
    median_days_to_decision: float | None
    satisfaction: Ratings


def insights(period: Period, days: list[DayTotals], target_days: float, waiting_over_target: int) -> Insights:
    total = summed(in_scope(days, period.agency_id))
    target_seconds = target_days * 86400
    return Insights(
        service_id=period.service_id,
        agency_id=period.agency_id,
        first=period.first,
        last=period.last,
        funnel=funnel(total),
        completion_rate=completion_rate(total),
        error_fields=[FieldErrors(name, count) for name, count in _top(total.error_fields, TOP_FIELDS)],
        target_days=target_days,
        durations={kind.value: spread(total.durations[kind], target_seconds) for kind in Duration},
        histograms={kind.value: {key: n for key, n in sorted(total.durations[kind].items()) if n} for kind in Duration},
        waiting_over_target=waiting_over_target,
        outcomes=outcomes(total),
        ratings=ratings(total),
    )


def performance(period: Period, days: list[DayTotals]) -> Performance:
    total = summed(days)
    to_decision = spread(total.durations[Duration.TO_DECISION], 0).p50_seconds
    return Performance(
        service_id=period.service_id,
        first=period.first,
        last=period.last,
        volume=total.funnel[FunnelStep.RECEIVED],
        completion_rate=completion_rate(total),
        median_days_to_decision=None if to_decision is None else round(to_decision / 86400, 2),
        satisfaction=ratings(total),
    )


def funnel(total: Sum) -> list[FunnelEntry]:
    entries: list[FunnelEntry] = []
    previous: int | None = None
    for step in FunnelStep:
        count = total.funnel[step]
        rate: float | None = round(count / previous, 4) if previous else None
        entries.append(FunnelEntry(step, count, rate, 0 if previous is None else max(0, previous - count)))
        previous = count
    return entries


def completion_rate(total: Sum) -> float | None:
    """As GOV.UK's service standard measures it: transactions completed (submitted) of those started."""
    started = total.funnel[FunnelStep.FORM_STARTED]
    return round(total.funnel[FunnelStep.SUBMITTED] / started, 4) if started else None


def outcomes(total: Sum) -> Outcomes:
    rejections: dict[str, dict[str, int]] = {by.value: {} for by in RejectedBy}
    for key, count in sorted(total.rejections.items()):
        by, _, reason = key.partition(":")
        rejections.setdefault(by, {})[reason] = count
    return Outcomes(
        rejections=rejections,
        accepted=total.outcomes[Outcome.ACCEPTED],
        clarification_requests=total.outcomes[Outcome.CLARIFICATION_NEEDED],
        information_requests=total.outcomes[Outcome.INFORMATION_REQUESTED],
        abandoned=total.outcomes[Outcome.ABANDONED],
    )


def ratings(total: Sum) -> Ratings:
    distribution = {score: total.scores[score] for score in SCORES}
    count = sum(distribution.values())
    mean = round(sum(int(score) * n for score, n in distribution.items()) / count, 2) if count else None
    return Ratings(count, mean, distribution, total.outcomes[Outcome.COMMENTED])


def _top(counts: Counter[str], limit: int) -> list[tuple[str, int]]:
    """The most frequent first; equal counts by name, so the order is the same every time."""
    return sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:limit]
