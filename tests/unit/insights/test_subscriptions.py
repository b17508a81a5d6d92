"""Insights' subscriptions hand on whole batches, and one event as a batch of one; through the shared consumers'
settling, a batch whose status event comes before its application's received event counts the rest once and
retries only that event."""

from datetime import timedelta
from typing import Any

from prometheus_client import CollectorRegistry

from civicflow.insights.domain.report import Period
from civicflow.insights.entrypoints.kafka import page_subscriptions, pipeline_subscriptions
from civicflow.insights.reports import Targets, read_insights
from civicflow.shared.events import DeadLetter, SubmissionReceived, SubmissionRouted
from civicflow.shared.messaging.decoding import decode
from civicflow.shared.messaging.deliveries import Delivery
from civicflow.shared.messaging.settling import Settler
from civicflow.shared.metrics import ConsumingMetrics
from civicflow.shared.settings import MessagingSettings
from tests.support.insights_stream import DAY, EXPECTED_FUNNEL, SERVICE, START, many_applications, stream
from tests.unit.insights.fakes import FakeApplications, FakeDays


class RecordingSetbacks:
    def __init__(self) -> None:
        self.retried: list[Delivery] = []

    async def retry_later(self, delivery: Delivery, stage: int, delay_seconds: float, error: BaseException) -> None:
        self.retried.append(delivery)

    async def dead_letter(self, letter: DeadLetter) -> None:
        raise AssertionError("nothing here is a dead letter")


async def test_every_subscription_counts_a_batch_and_one_event_as_a_batch_of_one() -> None:
    days, applications = FakeDays(), FakeApplications()
    subscriptions = [*page_subscriptions(days), *pipeline_subscriptions(days, applications)]
    assert all(subscription.handle_batch is not None for subscription in subscriptions)
    by_type = {subscription.event_type: subscription for subscription in subscriptions}
    events = stream()
    # Every other application's events, and every other page event and rating, one by one; the rest in batches.
    submissions = list(dict.fromkeys(getattr(event, "submission_id", None) for event in events))
    alone = {submission for index, submission in enumerate(submissions) if index % 2} - {None}
    batches: dict[type[Any], list[Any]] = {}
    for index, event in enumerate(events):
        if getattr(event, "submission_id", None) in alone or (not hasattr(event, "submission_id") and index % 2):
            await by_type[type(event)].handle(event)
        else:
            batches.setdefault(type(event), []).append(event)
    for event_type in dict.fromkeys(type(event) for event in events):  # the stream's order: received first
        handle_batch = by_type[event_type].handle_batch
        assert handle_batch is not None
        await handle_batch(batches.get(event_type, []))
    found = await read_insights(Period(SERVICE, DAY, DAY + timedelta(days=3)), days, applications, Targets(30.0), START)
    assert {entry.step: entry.count for entry in found.funnel} == EXPECTED_FUNNEL


async def test_a_status_event_ahead_of_its_received_event_is_retried_and_the_rest_of_its_batch_counted_once() -> None:
    days, applications = FakeDays(), FakeApplications()
    by_type = {subscription.event_type: subscription for subscription in pipeline_subscriptions(days, applications)}
    events = many_applications(5)
    received = [event for event in events if isinstance(event, SubmissionReceived)]
    routed = [event for event in events if isinstance(event, SubmissionRouted)]
    handle_batch = by_type[SubmissionReceived].handle_batch
    assert handle_batch is not None
    await handle_batch(received[1:])  # the first application's received event is still to come
    setbacks = RecordingSetbacks()
    settler = Settler(
        by_type[SubmissionRouted], "insights", setbacks, MessagingSettings(), ConsumingMetrics(CollectorRegistry())
    )
    deliveries = [
        Delivery(
            "civicflow.routing.routed.v1",
            0,
            offset,
            str(event.submission_id).encode(),
            event.model_dump_json().encode(),
        )
        for offset, event in enumerate(routed)
    ]
    await settler.settle([decode(delivery, SubmissionRouted) for delivery in deliveries], 1.0)
    assert setbacks.retried == deliveries[:1]
    (koeln,) = [totals for totals in await days.totals(SERVICE, DAY, DAY) if totals.bucket.agency_id]
    assert koeln.funnel == {"routed": 4}
