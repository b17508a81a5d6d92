"""The aggregation, pure and through the handlers with fakes: a known stream, delivered twice, gives the known
insights."""

from collections import Counter
from dataclasses import asdict
from datetime import timedelta
from typing import Any
from uuid import uuid4

import pytest

from civicflow.insights.domain.percentiles import BOUNDS, OVERFLOW, bucket_of, more_than, nearest_rank
from civicflow.insights.domain.report import Period
from civicflow.insights.handlers import NotReceivedYet
from civicflow.insights.reports import Targets, read_insights, read_performance
from civicflow.shared.events import SubmissionDecided, SubmissionReceived, SubmissionRouted
from civicflow.shared.messaging.failures import Disposition, classify
from tests.support.insights_stream import (
    BONN,
    DAY,
    EXPECTED_DURATIONS,
    EXPECTED_ERROR_FIELDS,
    EXPECTED_FUNNEL,
    EXPECTED_OUTCOMES,
    EXPECTED_RATINGS,
    KOELN,
    OTHER_SERVICE,
    SERVICE,
    START,
    feed,
    feed_batches,
    pipeline_events,
    stream,
    with_redeliveries,
)
from tests.unit.insights.fakes import FakeApplications, FakeDays

PERIOD = Period(SERVICE, DAY, DAY + timedelta(days=3))
TARGETS = Targets(30.0)
MAX_BOUND = BOUNDS[-1]
DAY_SECONDS = 86400


async def insights_of(period: Period = PERIOD, now_days: float = 3) -> tuple[dict[str, Any], FakeDays]:
    days, applications = FakeDays(), FakeApplications()
    await feed(with_redeliveries(stream()), days, applications)
    found = await read_insights(period, days, applications, TARGETS, START + timedelta(days=now_days))
    return asdict(found), days


async def test_the_known_stream_delivered_twice_gives_the_known_insights() -> None:
    found, _ = await insights_of()
    assert {entry["step"]: entry["count"] for entry in found["funnel"]} == EXPECTED_FUNNEL
    assert found["completion_rate"] == round(2 / 3, 4)
    assert found["error_fields"] == EXPECTED_ERROR_FIELDS
    assert found["durations"] == EXPECTED_DURATIONS
    assert found["outcomes"] == EXPECTED_OUTCOMES
    assert found["ratings"] == EXPECTED_RATINGS
    assert found["waiting_over_target"] == 0


@pytest.mark.parametrize("size", [2, 7, 200])
async def test_the_known_stream_delivered_twice_in_batches_gives_the_same_insights(size: int) -> None:
    days, applications = FakeDays(), FakeApplications()
    await feed_batches(with_redeliveries(stream()), days, applications, size)
    found = asdict(await read_insights(PERIOD, days, applications, TARGETS, START + timedelta(days=3)))
    expected, _ = await insights_of()
    assert found == expected


async def test_a_batch_counts_the_events_whose_application_was_received_then_says_the_rest_must_wait() -> None:
    days, applications = FakeDays(), FakeApplications()
    events = pipeline_events()
    received = [event for event in events if isinstance(event, SubmissionReceived)]
    routed = [event for event in events if isinstance(event, SubmissionRouted)]
    await feed(received[1:], days, applications)
    with pytest.raises(NotReceivedYet):
        await feed_batches(routed, days, applications, len(routed))
    # The consumers then hand on the batch's events one by one: only the one still unknown fails again.
    failed = []
    for event in routed:
        try:
            await feed([event], days, applications)
        except NotReceivedYet:
            failed.append(event)
    assert failed == routed[:1]
    found = await read_insights(PERIOD, days, applications, TARGETS, START)
    assert {entry.step: entry.count for entry in found.funnel}["routed"] == 2


async def test_the_funnel_says_how_many_went_on_and_how_many_dropped_out() -> None:
    found, _ = await insights_of()
    started, summary = found["funnel"][1], found["funnel"][2]
    assert (started["rate_from_previous"], started["dropped_out"]) == (0.75, 1)
    assert (summary["rate_from_previous"], summary["dropped_out"]) == (round(2 / 3, 4), 1)
    assert found["funnel"][0]["rate_from_previous"] is None


async def test_one_agency_sees_its_own_routed_and_decided_applications_and_the_service_wide_steps() -> None:
    found, _ = await insights_of(Period(SERVICE, DAY, DAY + timedelta(days=3), KOELN))
    funnel = {entry["step"]: entry["count"] for entry in found["funnel"]}
    assert (funnel["received"], funnel["routed"], funnel["decided"]) == (5, 2, 2)
    assert found["durations"]["to_route"]["count"] == 2
    assert found["outcomes"]["information_requests"] == 0  # Bonn's


async def test_an_open_application_older_than_the_target_is_waiting_over_target() -> None:
    later, _ = await insights_of(now_days=31)
    assert later["waiting_over_target"] == 1  # A3, asked for information, at Bonn
    bonn, _ = await insights_of(Period(SERVICE, DAY, DAY, BONN), now_days=31)
    koeln, _ = await insights_of(Period(SERVICE, DAY, DAY, KOELN), now_days=31)
    assert (bonn["waiting_over_target"], koeln["waiting_over_target"]) == (1, 0)


async def test_a_period_counts_only_its_days() -> None:
    found, _ = await insights_of(Period(SERVICE, DAY, DAY))
    funnel = {entry["step"]: entry["count"] for entry in found["funnel"]}
    assert (funnel["routed"], funnel["decided"]) == (3, 0)  # the decisions came on the next days
    assert found["ratings"]["count"] == 0  # three days later


async def test_another_service_is_counted_apart() -> None:
    days, applications = FakeDays(), FakeApplications()
    await feed(stream(), days, applications)
    other = await read_performance(Period(OTHER_SERVICE, DAY, DAY), days)
    assert (other.volume, other.completion_rate, other.satisfaction.count) == (0, None, 0)


async def test_the_public_performance_of_the_known_stream() -> None:
    days, applications = FakeDays(), FakeApplications()
    await feed(stream(), days, applications)
    found = await read_performance(PERIOD, days)
    assert (found.volume, found.completion_rate, found.median_days_to_decision) == (5, round(2 / 3, 4), 1.0)
    assert (found.satisfaction.mean, found.satisfaction.count) == (3.5, 4)


async def test_a_status_event_before_its_received_event_is_retried_not_dead_lettered() -> None:
    routed = next(event for event in pipeline_events() if isinstance(event, SubmissionRouted))
    with pytest.raises(NotReceivedYet) as raised:
        await feed([routed], FakeDays(), FakeApplications())
    assert classify(raised.value) is Disposition.TRANSIENT


def histogram(*seconds: float) -> Counter[str]:
    return Counter(bucket_of(value) for value in seconds)


@pytest.mark.parametrize(
    ("seconds", "p50", "p90"),
    [
        ((), None, None),
        ((3600,), 3600.0, 3600.0),  # on a bound: exact
        ((1800, 3600, 7200), 3600.0, 7200.0),
        ((61, 62, 3000, 3601, 86399), 3600.0, 86400.0),  # within a bucket: its upper bound ("p50 ≤ 1 h")
        ((0, 60), 60.0, 60.0),
        ((MAX_BOUND + 1, MAX_BOUND + 2), None, None),  # beyond the last bound: no bound to give
    ],
)
def test_percentiles_are_the_upper_bound_of_the_nearest_rank_bucket(
    seconds: tuple[float, ...], p50: float | None, p90: float | None
) -> None:
    counts = histogram(*seconds)
    assert (nearest_rank(counts, 50), nearest_rank(counts, 90)) == (p50, p90)


def test_a_bucket_holds_what_is_at_most_its_bound_and_more_than_the_one_before() -> None:
    assert [bucket_of(value) for value in (0, 60, 60.5, 300, 86400, 86401)] == [
        "le_60", "le_60", "le_300", "le_300", "le_86400", "le_172800",
    ]  # fmt: skip
    assert bucket_of(MAX_BOUND + 1) == OVERFLOW
    assert list(BOUNDS) == sorted(set(BOUNDS))


def test_over_target_is_exact_on_a_bound_and_a_lower_bound_otherwise() -> None:
    counts = histogram(3 * DAY_SECONDS, 20 * DAY_SECONDS, 31 * DAY_SECONDS, 45 * DAY_SECONDS, MAX_BOUND + 1)
    assert more_than(counts, 30 * DAY_SECONDS) == 3
    assert more_than(counts, 14 * DAY_SECONDS) == 4
    # 25 d lies inside the bucket (21 d, 30 d]: those in it may be shorter, so only the buckets above count.
    assert more_than(counts, 25 * DAY_SECONDS) == 3


async def test_a_day_document_holds_counts_not_durations() -> None:
    days, applications = FakeDays(), FakeApplications()
    await feed(stream(), days, applications)
    (koeln,) = [
        totals for totals in await days.totals(SERVICE, DAY, DAY + timedelta(days=1))
        if totals.bucket.agency_id == KOELN and totals.bucket.day == DAY
    ]  # fmt: skip
    assert koeln.durations == {"to_route": {"le_3600": 1, "le_7200": 1}}


async def test_a_later_step_counts_once_per_application_and_a_repeatable_one_per_event() -> None:
    days, applications = FakeDays(), FakeApplications()
    events = pipeline_events()
    received = next(event for event in events if isinstance(event, SubmissionReceived))
    decided = next(
        event for event in events if isinstance(event, SubmissionDecided) and event.outcome == "information_requested"
    )
    asked_again = decided.model_copy(update={"event_id": uuid4(), "submission_id": received.submission_id})
    first = asked_again.model_copy(update={"event_id": uuid4()})
    accepted = first.model_copy(update={"event_id": uuid4(), "outcome": "accepted"})
    corrected = accepted.model_copy(update={"event_id": uuid4(), "outcome": "rejected"})
    await feed([received, first, asked_again, accepted, corrected, accepted], days, applications)
    found = await read_insights(Period(SERVICE, DAY, DAY + timedelta(days=3)), days, applications, TARGETS, START)
    assert found.outcomes.information_requests == 2
    assert (found.outcomes.accepted, found.funnel[-1].count, found.durations["to_decision"].count) == (1, 1, 1)
