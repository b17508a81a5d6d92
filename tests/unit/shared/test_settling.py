"""Settling a batch, with the ports faked: every delivery is handled, set back or skipped, exactly once."""

import asyncio
import logging
import random
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from uuid import UUID, uuid4

import pytest
from prometheus_client import CollectorRegistry
from pymongo.errors import OperationFailure

from civicflow.shared.events import DeadLetter, SubmissionRouted
from civicflow.shared.events.deadletter import DeadLetterReason
from civicflow.shared.messaging import PermanentFailure, StoreUnavailable, Subscription, TransientFailure
from civicflow.shared.messaging.decoding import Decoded, decode
from civicflow.shared.messaging.deliveries import ATTEMPT, Delivery
from civicflow.shared.messaging.settling import Settler, StillUnavailable, Uniform
from civicflow.shared.metrics import ConsumingMetrics
from civicflow.shared.settings import MessagingSettings
from tests.support.sealing import recipient, sealer_with_every_key
from tests.unit.fakes import FakeProcessedEvents

SEALER = sealer_with_every_key()

TOPIC = "civicflow.routing.routed.v1"
# Without jitter, so that the delays are the schedule's; test_each_delay_is_spread_within_the_jitter spreads them.
SETTINGS = MessagingSettings(retry_delays_seconds=(10.0, 60.0), retry_jitter=0.0, handler_timeout_seconds=0.5)


class RecordingSetbacks:
    def __init__(self) -> None:
        self.retries: list[tuple[Delivery, int, float]] = []
        self.letters: list[DeadLetter] = []

    async def retry_later(self, delivery: Delivery, stage: int, delay_seconds: float, error: BaseException) -> None:
        self.retries.append((delivery, stage, delay_seconds))

    async def dead_letter(self, letter: DeadLetter) -> None:
        self.letters.append(letter)


def routed(submission_id: UUID | None = None) -> SubmissionRouted:
    submission_id = submission_id or uuid4()
    return SubmissionRouted(
        submission_id=submission_id,
        recipient=recipient(SEALER, submission_id, "erika@example.org"),
        agency_id="koeln-gewerbe",
        municipality_key="05315000",
    )


def delivery(value: bytes, offset: int, key: bytes | None = None, attempt: int = 0) -> Delivery:
    headers = {ATTEMPT: str(attempt).encode()} if attempt else {}
    return Delivery(TOPIC, 0, offset, key, value, headers)


def batch_of(*values: bytes, key: bytes | None = None) -> list[Decoded[SubmissionRouted]]:
    return [decode(delivery(value, offset, key), SubmissionRouted) for offset, value in enumerate(values)]


def wire(event: SubmissionRouted) -> bytes:
    return event.model_dump_json().encode()


class Handler:
    def __init__(self, failures: dict[object, BaseException] | None = None) -> None:
        self.handled: list[SubmissionRouted] = []
        self.failures = failures or {}

    async def __call__(self, event: SubmissionRouted) -> None:
        failure = self.failures.get(event.event_id)
        if failure is not None:
            raise failure
        self.handled.append(event)


def settler(
    handle: Handler,
    processed: FakeProcessedEvents | None = None,
    remember_each: bool = False,
    settings: MessagingSettings = SETTINGS,
    uniform: Uniform = random.uniform,
    metrics: ConsumingMetrics | None = None,
) -> tuple[Settler[SubmissionRouted], RecordingSetbacks]:
    setbacks = RecordingSetbacks()
    subscription = Subscription(TOPIC, SubmissionRouted, handle, processed=processed, remember_each=remember_each)
    metrics = metrics or ConsumingMetrics(CollectorRegistry())
    return Settler(subscription, "civicflow-test", setbacks, settings, metrics, uniform=uniform), setbacks


async def test_a_record_that_is_no_event_is_dead_lettered_and_the_rest_handled() -> None:
    handle = Handler()
    subject, setbacks = settler(handle)
    good = routed()
    await subject.settle(batch_of(b'{"submission_id": "not-a-uuid"}', b"\xff\xfe", wire(good)), 1.0)
    assert handle.handled == [good]
    assert [letter.reason for letter in setbacks.letters] == [DeadLetterReason.UNDECODABLE] * 2
    first, binary = setbacks.letters
    assert first.detail.startswith("not a valid SubmissionRouted: ") and "envelope incomplete" in first.detail
    assert (first.source_topic, first.source_offset, first.consumer_group) == (TOPIC, 0, "civicflow-test")
    assert binary.payload_encoding == "base64"


async def test_events_already_processed_are_skipped_and_the_rest_remembered_in_one_write() -> None:
    handle, processed = Handler(), FakeProcessedEvents()
    done, new = routed(), routed()
    processed.ids.add(done.event_id)
    subject, _ = settler(handle, processed)
    await subject.settle(batch_of(wire(done), wire(new), wire(new)), 1.0)  # and one delivered twice in a batch
    assert handle.handled == [new]
    assert processed.ids == {done.event_id, new.event_id} and processed.writes == 1


async def test_a_permanent_failure_is_dead_lettered_at_once_and_stalls_nothing() -> None:
    poison, after = routed(), routed()
    handle = Handler({poison.event_id: ValueError("Erika Mustermann is not allowed")})
    subject, setbacks = settler(handle)
    await subject.settle(batch_of(wire(poison), wire(after)), 1.0)
    assert handle.handled == [after]
    (letter,) = setbacks.letters
    assert letter.reason == DeadLetterReason.REJECTED and letter.detail.startswith("ValueError at ")
    assert "Erika" not in letter.detail  # an unknown error's message may quote personal data
    assert setbacks.retries == []


async def test_a_transient_failure_goes_to_the_next_retry_stage_then_to_the_dead_letters() -> None:
    event = routed()
    handle = Handler({event.event_id: TransientFailure("SMTP 451")})
    subject, setbacks = settler(handle)
    await subject.settle(batch_of(wire(event)), 1.0)
    assert [(stage, delay) for _, stage, delay in setbacks.retries] == [(1, 10.0)]
    await subject.settle([decode(delivery(wire(event), 0, attempt=1), SubmissionRouted)], 1.0)
    assert [(stage, delay) for _, stage, delay in setbacks.retries] == [(1, 10.0), (2, 60.0)]
    await subject.settle([decode(delivery(wire(event), 0, attempt=2), SubmissionRouted)], 1.0)
    (letter,) = setbacks.letters
    assert letter.reason == DeadLetterReason.RETRIES_EXHAUSTED and letter.attempts == 2
    assert letter.detail == "TransientFailure: SMTP 451; attempt 3"


async def failing_for_now(
    settings: MessagingSettings, deliveries: int, uniform: Uniform = random.uniform
) -> RecordingSetbacks:
    """An event that fails for a passing reason each time, delivered with the attempts 0 … deliveries - 1."""
    event = routed()
    subject, setbacks = settler(
        Handler({event.event_id: TransientFailure("SMTP 451")}), settings=settings, uniform=uniform
    )
    for attempt in range(deliveries):
        await subject.settle([decode(delivery(wire(event), 0, attempt=attempt), SubmissionRouted)], 1.0)
    return setbacks


async def test_retries_past_the_last_stage_wait_on_that_stage_until_the_attempts_are_used_up() -> None:
    hours = MessagingSettings(retry_delays_seconds=(30.0, 300.0, 3600.0), retry_attempts=6, retry_jitter=0.0)
    setbacks = await failing_for_now(hours, 7)
    stages = [(stage, delay) for _, stage, delay in setbacks.retries]
    assert stages == [(1, 30.0), (2, 300.0), (3, 3600.0), (3, 3600.0), (3, 3600.0), (3, 3600.0)]
    (letter,) = setbacks.letters
    assert letter.reason == DeadLetterReason.RETRIES_EXHAUSTED and letter.attempts == 6
    assert letter.detail == "TransientFailure: SMTP 451; attempt 7"


async def test_each_delay_is_spread_within_the_jitter() -> None:
    jittery = MessagingSettings(retry_delays_seconds=(100.0,), retry_attempts=200, retry_jitter=0.25)
    source, asked = random.Random(7), set[tuple[float, float]]()

    def uniform(low: float, high: float) -> float:
        asked.add((low, high))
        return source.uniform(low, high)

    delays = [delay for _, _, delay in (await failing_for_now(jittery, 200, uniform)).retries]
    assert asked == {(0.75, 1.25)} and len(delays) == 200
    assert all(75.0 <= delay <= 125.0 for delay in delays)
    assert min(delays) < 85.0 and max(delays) > 115.0  # spread over the range, not bunched


async def test_the_default_random_source_keeps_within_the_jitter_too() -> None:
    jittery = MessagingSettings(retry_delays_seconds=(10.0,), retry_attempts=50, retry_jitter=0.2)
    delays = [delay for _, _, delay in (await failing_for_now(jittery, 50)).retries]
    assert all(8.0 <= delay <= 12.0 for delay in delays) and len(set(delays)) > 1


def lowest(low: float, high: float) -> float:
    return low


def highest(low: float, high: float) -> float:
    return high


@pytest.mark.parametrize(("uniform", "delays"), [(lowest, (8.0, 48.0)), (highest, (12.0, 72.0))])
async def test_the_bounds_of_the_jitter_are_the_bounds_of_the_delay(
    uniform: Uniform, delays: tuple[float, float]
) -> None:
    jittery = MessagingSettings(retry_delays_seconds=(10.0, 60.0), retry_jitter=0.2)
    setbacks = await failing_for_now(jittery, 3, uniform)
    assert tuple(delay for _, _, delay in setbacks.retries) == pytest.approx(delays)
    assert [letter.attempts for letter in setbacks.letters] == [2]


async def test_the_log_tells_the_jittered_delay_and_when_it_is_due(caplog: pytest.LogCaptureFixture) -> None:
    event = routed()
    jittery = MessagingSettings(retry_delays_seconds=(10.0, 60.0), retry_jitter=0.2)
    subject, _ = settler(Handler({event.event_id: TransientFailure("SMTP 451")}), settings=jittery, uniform=highest)
    with caplog.at_level(logging.INFO, logger="civicflow.shared.messaging.settling"):
        before = datetime.now(UTC)
        await subject.settle(batch_of(wire(event)), 1.0)
    (message,) = [record.getMessage() for record in caplog.records if "retried" in record.getMessage()]
    assert "retried in 12 s, due " in message and "(retry 1 of 2; TransientFailure: SMTP 451)" in message
    due = datetime.fromisoformat(message.split("due ")[1].split(" ")[0])
    assert before.replace(microsecond=0) + timedelta(seconds=12) <= due <= datetime.now(UTC) + timedelta(seconds=12)


async def test_an_adapter_saying_permanent_is_believed() -> None:
    event = routed()
    subject, setbacks = settler(Handler({event.event_id: PermanentFailure("SMTP 550")}))
    await subject.settle(batch_of(wire(event)), 1.0)
    assert [letter.detail for letter in setbacks.letters] == ["PermanentFailure: SMTP 550; attempt 1"]


async def test_a_handler_that_hangs_is_timed_out_and_retried_later() -> None:
    class Hanging(Handler):
        async def __call__(self, event: SubmissionRouted) -> None:
            await asyncio.sleep(60)

    subject, setbacks = settler(Hanging())
    await subject.settle(batch_of(wire(routed())), 1.0)
    assert [stage for _, stage, _ in setbacks.retries] == [1]


async def test_while_the_store_is_down_the_batch_is_held_and_nothing_is_done_twice() -> None:
    first, second = routed(), routed()
    outage = StoreUnavailable("store down")
    handle = Handler({second.event_id: outage})
    processed = FakeProcessedEvents()
    subject, setbacks = settler(handle, processed)

    async def store_comes_back() -> None:
        await asyncio.sleep(0.3)
        handle.failures.clear()

    back = asyncio.create_task(store_comes_back())
    await subject.settle(batch_of(wire(first), wire(second)), 5.0)
    await back
    assert handle.handled == [first, second]  # the first one was not handled again
    assert processed.ids == {first.event_id, second.event_id}
    assert setbacks.retries == [] and setbacks.letters == []  # an outage burns no retries


async def test_a_store_that_stays_down_lets_the_batch_go_uncommitted() -> None:
    event = routed()
    subject, _ = settler(Handler({event.event_id: StoreUnavailable("store down")}))
    with pytest.raises(StillUnavailable):
        await subject.settle(batch_of(wire(event)), 0.1)


async def test_remembering_each_event_at_once_and_not_repeating_it_when_that_write_fails() -> None:
    handle, processed = Handler(), FakeProcessedEvents()
    subject, _ = settler(handle, processed, remember_each=True)
    event = routed()
    processed.failing = True

    async def store_comes_back() -> None:
        await asyncio.sleep(0.3)
        processed.failing = False

    back = asyncio.create_task(store_comes_back())
    await subject.settle(batch_of(wire(event)), 5.0)
    await back
    assert handle.handled == [event]  # told once, although remembering it failed at first
    assert processed.ids == {event.event_id}


async def test_events_of_one_key_are_handled_in_order_other_keys_alongside() -> None:
    order: list[str] = []

    class Slow(Handler):
        async def __call__(self, event: SubmissionRouted) -> None:
            order.append(f"start {event.agency_id}")
            await asyncio.sleep(0.05 if event.agency_id == "a-1" else 0.0)
            order.append(f"end {event.agency_id}")

    subject, _ = settler(Slow())
    same = uuid4()
    events = [routed(same).model_copy(update={"agency_id": name}) for name in ("a-1", "a-2")]
    other = routed().model_copy(update={"agency_id": "b-1"})
    decoded = [
        decode(delivery(wire(events[0]), 0, b"same"), SubmissionRouted),
        decode(delivery(wire(events[1]), 1, b"same"), SubmissionRouted),
        decode(delivery(wire(other), 2, b"other"), SubmissionRouted),
    ]
    await subject.settle(decoded, 1.0)
    assert order.index("end a-1") < order.index("start a-2")  # one key: one after the other
    assert order.index("end b-1") < order.index("end a-1")  # another key did not wait


async def test_a_batch_handler_that_fails_is_retried_event_by_event_to_find_the_culprit() -> None:
    good, bad = routed(), routed()
    calls: list[int] = []

    async def handle_batch(events: Sequence[SubmissionRouted]) -> None:
        calls.append(len(events))
        if bad in events:
            raise ValueError("bad entry")

    async def handle(event: SubmissionRouted) -> None:
        await handle_batch([event])

    setbacks = RecordingSetbacks()
    subscription = Subscription(TOPIC, SubmissionRouted, handle, handle_batch=handle_batch)
    subject = Settler(subscription, "civicflow-test", setbacks, SETTINGS, ConsumingMetrics(CollectorRegistry()))
    await subject.settle(batch_of(wire(good), wire(bad)), 1.0)
    assert calls == [2, 1, 1]
    assert [letter.source_offset for letter in setbacks.letters] == [1]


async def test_a_store_error_without_a_cause_waits_while_the_store_does_not_answer() -> None:
    # FerretDB answers every call with InternalError (code 1) while its PostgreSQL is down.
    event = routed()
    failing = OperationFailure("SQLSTATE 57P01: terminating connection", code=1)
    handle = Handler({event.event_id: failing})
    answers = {"up": False}

    async def store_up() -> bool:
        return answers["up"]

    setbacks = RecordingSetbacks()
    subscription = Subscription(TOPIC, SubmissionRouted, handle)
    subject = Settler(
        subscription, "civicflow-test", setbacks, SETTINGS, ConsumingMetrics(CollectorRegistry()), store_up
    )
    with pytest.raises(StillUnavailable):
        await subject.settle(batch_of(wire(event)), 0.2)
    assert setbacks.letters == []  # held, not dead-lettered
    answers["up"] = True  # the store answers, so the error is this message's
    await subject.settle(batch_of(wire(event)), 0.2)
    assert [letter.reason for letter in setbacks.letters] == [DeadLetterReason.REJECTED]


def counted(metrics: CollectorRegistry, name: str, **labels: str) -> float:
    found = metrics.get_sample_value(
        name, {"messaging_destination_name": TOPIC, "messaging_consumer_group_name": "civicflow-test", **labels}
    )
    return found or 0.0


async def test_what_becomes_of_each_message_is_counted_per_topic_and_group() -> None:
    good, passing, poison = routed(), routed(), routed()
    handle = Handler({passing.event_id: TransientFailure("SMTP 451"), poison.event_id: ValueError("no")})
    metrics = CollectorRegistry()
    subject, _ = settler(handle, metrics=ConsumingMetrics(metrics))
    await subject.settle(batch_of(wire(good), wire(passing), wire(poison), b"not json"), 1.0)
    assert counted(metrics, "civicflow_messages_processed_total") == 1
    assert counted(metrics, "civicflow_messages_retried_total") == 1
    assert counted(metrics, "civicflow_messages_dead_lettered_total", reason="rejected") == 1
    assert counted(metrics, "civicflow_messages_dead_lettered_total", reason="undecodable") == 1
    # One handler call timed per event that decoded, labelled with the error it raised, if any.
    duration = "messaging_process_duration_seconds_count"
    assert counted(metrics, duration, messaging_system="kafka", error_type="") == 1
    assert counted(metrics, duration, messaging_system="kafka", error_type="TransientFailure") == 1
    assert counted(metrics, duration, messaging_system="kafka", error_type="ValueError") == 1


async def test_the_last_retry_that_fails_counts_as_dead_lettered_and_a_redelivery_as_nothing_new() -> None:
    event, processed = routed(), FakeProcessedEvents()
    metrics = CollectorRegistry()
    failing, _ = settler(
        Handler({event.event_id: TransientFailure("SMTP 451")}), processed, metrics=ConsumingMetrics(metrics)
    )
    await failing.settle([decode(delivery(wire(event), 0, attempt=2), SubmissionRouted)], 1.0)
    assert counted(metrics, "civicflow_messages_dead_lettered_total", reason="retries_exhausted") == 1
    assert counted(metrics, "civicflow_messages_retried_total") == 0
    processed.ids.add(event.event_id)  # then handled by a replay of its dead letter, say
    metrics = CollectorRegistry()
    redelivered, _ = settler(Handler(), processed, metrics=ConsumingMetrics(metrics))
    await redelivered.settle(batch_of(wire(event)), 1.0)  # handled before: skipped, so not processed again
    assert counted(metrics, "civicflow_messages_processed_total") == 0


async def test_a_batch_handled_at_once_counts_each_event_and_one_handler_call() -> None:
    events = [routed(), routed(), routed()]

    async def handle_batch(batch: Sequence[SubmissionRouted]) -> None:
        pass

    async def handle(event: SubmissionRouted) -> None:
        raise AssertionError("handled one by one")

    metrics = CollectorRegistry()
    subscription = Subscription(TOPIC, SubmissionRouted, handle, handle_batch=handle_batch)
    subject = Settler(subscription, "civicflow-test", RecordingSetbacks(), SETTINGS, ConsumingMetrics(metrics))
    await subject.settle(batch_of(*map(wire, events)), 1.0)
    assert counted(metrics, "civicflow_messages_processed_total") == 3
    assert counted(metrics, "messaging_process_duration_seconds_count", messaging_system="kafka", error_type="") == 1
