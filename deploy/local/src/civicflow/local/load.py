"""Applications posted against the running stack, each watched until it arrives on its agency topic.

Closed loop (`rate=None`): `concurrency` POSTs in flight, as fast as intake answers; latency then includes
the queue that builds up in front of the slowest step. Open loop (`rate`): one POST every 1/rate seconds
whatever the answers, so latency shows a pipeline that keeps up (or one that does not). Latency runs from
the start of a POST to the arrival on the agency topic, read by a plain group-less consumer.
"""

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
from aiokafka import AIOKafkaConsumer
from tqdm import tqdm

from civicflow.local.idp import SigningKey
from civicflow.local.layout import Layout
from civicflow.local.sample import application
from civicflow.local.tail import open_tail
from civicflow.local.topics_admin import agency_submission_topics
from civicflow.shared.settings import KafkaSettings

# Give up when nothing was accepted or arrived for this long; a long run may still be draining its backlog.
STALL_SECONDS = 60.0


@dataclass(frozen=True)
class LoadResult:
    label: str
    posted: int
    accepted: int
    arrived: int
    duplicates: int
    post_seconds: float  # first POST to the last answer
    seconds: float  # first POST to the last arrival
    latencies: tuple[float, ...]
    failures: dict[str, int] = field(default_factory=dict)

    @property
    def accepted_per_second(self) -> float:
        return self.accepted / self.post_seconds if self.post_seconds > 0 else 0.0

    @property
    def arrived_per_second(self) -> float:
        return self.arrived / self.seconds if self.seconds > 0 else 0.0

    @property
    def complete(self) -> bool:
        """Every accepted application arrived, and none twice."""
        return self.arrived == self.accepted and self.duplicates == 0


@dataclass
class _Tally:
    started: dict[str, float] = field(default_factory=dict)
    arrivals: dict[str, float] = field(default_factory=dict)
    matched: int = 0
    copies: dict[str, int] = field(default_factory=dict)
    failures: dict[str, int] = field(default_factory=dict)
    last_progress: float = field(default_factory=time.perf_counter)

    def accepted(self, submission_id: str, begin: float) -> None:
        self.started[submission_id] = begin
        # Under load the agency can see an application before its POST's answer is read.
        self.matched += submission_id in self.arrivals
        self.last_progress = time.perf_counter()

    def arrived(self, submission_id: str, at: float) -> bool:
        """Note an arrival; True for the first copy of one of ours."""
        if submission_id in self.arrivals:
            self.copies[submission_id] = self.copies.get(submission_id, 1) + 1
            return False
        self.arrivals[submission_id] = at
        self.matched += submission_id in self.started
        self.last_progress = at
        return submission_id in self.started

    def duplicates(self) -> int:
        return sum(self.copies.get(submission_id, 1) - 1 for submission_id in self.started)

    def failed(self, outcome: str) -> None:
        self.failures[outcome] = self.failures.get(outcome, 0) + 1


async def open_agency_consumer(kafka: KafkaSettings) -> AIOKafkaConsumer:
    return await open_tail(kafka, *agency_submission_topics())


async def post_applications(
    layout: Layout, count: int, concurrency: int, rate: float | None = None, label: str = "run"
) -> LoadResult:
    key = SigningKey.load_or_create(layout.idp_state_dir)

    def body() -> dict[str, Any]:
        # One token, one submission (identity rejects a second use of a token): each application signs its own.
        return application(key, layout.idp_issuer)

    consumer = await open_agency_consumer(layout.kafka_admin)
    tally = _Tally()
    posting_done = asyncio.Event()
    collector = asyncio.create_task(_collect(consumer, tally, posting_done, tqdm(total=count, desc=f"{label} arrived")))
    try:
        begin = time.perf_counter()
        await _post_all(layout, body, count, concurrency, rate, tally, tqdm(total=count, desc=f"{label} accepted"))
        post_seconds = time.perf_counter() - begin
        posting_done.set()
        await collector
    finally:
        collector.cancel()
        await consumer.stop()
    ours = [tally.arrivals[sid] for sid in tally.started if sid in tally.arrivals]
    return LoadResult(
        label=label,
        posted=count,
        accepted=len(tally.started),
        arrived=len(ours),
        duplicates=tally.duplicates(),
        post_seconds=post_seconds,
        seconds=(max(ours) - begin) if ours else 0.0,
        latencies=tuple(tally.arrivals[sid] - start for sid, start in tally.started.items() if sid in tally.arrivals),
        failures=tally.failures,
    )


async def _post_all(
    layout: Layout,
    body: Callable[[], dict[str, Any]],
    count: int,
    concurrency: int,
    rate: float | None,
    tally: _Tally,
    progress: tqdm,
) -> None:
    limit = asyncio.Semaphore(concurrency)

    async def post_one(client: httpx.AsyncClient) -> None:
        async with limit:
            signed = body()
            begin = time.perf_counter()
            try:
                response = await client.post("/v1/submissions", json=signed)
            except httpx.HTTPError as error:
                tally.failed(type(error).__name__)
                return
            if response.status_code != 202:
                tally.failed(f"HTTP {response.status_code}")
                return
            tally.accepted(response.json()["submission_id"], begin)
            progress.update()

    # Idle connections are dropped before the server's 5 s keep-alive ends, so no request races a closing socket.
    limits = httpx.Limits(max_connections=concurrency, keepalive_expiry=2.0)
    async with httpx.AsyncClient(base_url=layout.intake_url, timeout=30.0, limits=limits) as client:
        if rate is None:
            await asyncio.gather(*(post_one(client) for _ in range(count)))
        else:
            start, posts = time.perf_counter(), []
            for index in range(count):
                await asyncio.sleep(max(0.0, start + index / rate - time.perf_counter()))
                posts.append(asyncio.create_task(post_one(client)))
            await asyncio.gather(*posts)
    progress.close()


async def _collect(consumer: AIOKafkaConsumer, tally: _Tally, posting_done: asyncio.Event, progress: tqdm) -> None:
    while not (posting_done.is_set() and tally.matched >= len(tally.started)):
        if time.perf_counter() - tally.last_progress > STALL_SECONDS:
            break
        batches = await consumer.getmany(timeout_ms=200)
        arrived = time.perf_counter()
        for records in batches.values():
            for record in records:
                if record.key and tally.arrived(record.key.decode(), arrived):
                    progress.update()
    progress.close()
