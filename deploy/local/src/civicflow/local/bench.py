"""`make bench N=...`: N applications posted concurrently against the running stack.

Prints the accepted rate (202 answers per second while posting) and the end-to-end latency from the start of
each POST to the application's arrival on its agency topic, read by a plain Kafka consumer. Without --rate
it posts as fast as the concurrency allows (throughput; latency then includes the queue that builds up);
with --rate it posts at that fixed rate (latency of a pipeline that keeps up).
"""

import asyncio
import statistics
import time

import httpx
from aiokafka import AIOKafkaConsumer
from tqdm import tqdm

from civicflow.local.idp import SigningKey
from civicflow.local.layout import Layout
from civicflow.local.sample import application
from civicflow.local.tail import open_tail
from civicflow.local.topics_admin import all_topic_names

DELIVERY_TIMEOUT_SECONDS = 180.0


async def run_bench(layout: Layout, count: int, concurrency: int, rate: float | None = None) -> int:
    body = application(SigningKey.load_or_create(layout.idp_state_dir), layout.idp_issuer)
    consumer = await open_agency_consumer(layout.kafka_bootstrap)
    started: dict[str, float] = {}
    latencies: list[float] = []
    delivered: set[str] = set()
    duplicates = 0
    failures: dict[str, int] = {}
    posting = tqdm(total=count, desc="accepted ", unit="app")
    delivering = tqdm(total=count, desc="delivered", unit="app")
    limit = asyncio.Semaphore(concurrency)

    async def post_one(client: httpx.AsyncClient) -> None:
        async with limit:
            begin = time.perf_counter()
            try:
                response = await client.post("/v1/submissions", json=body)
            except httpx.HTTPError as error:
                outcome = type(error).__name__
            else:
                if response.status_code == 202:
                    started[response.json()["submission_id"]] = begin
                    posting.update()
                    return
                outcome = f"HTTP {response.status_code}"
            failures[outcome] = failures.get(outcome, 0) + 1

    async def collect() -> None:
        nonlocal duplicates
        while len(latencies) < len(started) or len(started) + sum(failures.values()) < count:
            batches = await consumer.getmany(timeout_ms=500)
            arrived = time.perf_counter()
            for records in batches.values():
                for record in records:
                    submission_id = record.key.decode() if record.key else ""
                    if submission_id in delivered:
                        duplicates += 1
                    elif submission_id in started:
                        delivered.add(submission_id)
                        latencies.append(arrived - started[submission_id])
                        delivering.update()

    collector = asyncio.create_task(collect())
    # Idle connections are dropped before the server's 5 s keep-alive ends, so no request races a closing socket.
    limits = httpx.Limits(max_connections=concurrency, keepalive_expiry=2.0)
    async with httpx.AsyncClient(base_url=layout.intake_url, timeout=30.0, limits=limits) as client:
        post_begin = time.perf_counter()
        if rate is None:
            await asyncio.gather(*(post_one(client) for _ in range(count)))
        else:
            # An open-loop load at a fixed rate: latency then shows the pipeline, not a queue the benchmark built.
            posts = []
            for index in range(count):
                await asyncio.sleep(max(0.0, post_begin + index / rate - time.perf_counter()))
                posts.append(asyncio.create_task(post_one(client)))
            await asyncio.gather(*posts)
        post_seconds = time.perf_counter() - post_begin
    try:
        await asyncio.wait_for(collector, DELIVERY_TIMEOUT_SECONDS)
    except TimeoutError:
        print(f"\n{len(started) - len(latencies)} accepted applications did not arrive within the timeout")
    finally:
        await consumer.stop()
        posting.close()
        delivering.close()
    _report(count, len(started), post_seconds, latencies, failures)
    print(f"delivered more than once: {duplicates}")
    return 0 if len(latencies) == count and duplicates == 0 else 1


async def open_agency_consumer(bootstrap_servers: str) -> AIOKafkaConsumer:
    return await open_tail(bootstrap_servers, *(topic for topic in all_topic_names() if topic.startswith("agency.")))


def _report(count: int, accepted: int, post_seconds: float, latencies: list[float], failures: dict[str, int]) -> None:
    print(f"\nposted {count}, accepted {accepted} in {post_seconds:.1f} s: {accepted / post_seconds:.0f} accepted/s")
    if failures:
        print("not accepted: " + ", ".join(f"{outcome} x{n}" for outcome, n in sorted(failures.items())))
    if len(latencies) >= 2:
        cuts = statistics.quantiles(latencies, n=100, method="inclusive")
        print(
            f"end-to-end POST -> agency topic ({len(latencies)} delivered): "
            f"p50 {cuts[49] * 1000:.0f} ms, p95 {cuts[94] * 1000:.0f} ms, p99 {cuts[98] * 1000:.0f} ms"
        )
