"""`make bench N=... C=...`: CivicFlow against its ceiling, in one run against the running stack.

1. The bare relay (relay.py): messages/s a plain aiokafka program carries through four hops on this broker.
2. Closed loop: N applications, C in flight: accepted/s, applications/s end to end (arrived on their agency
   topic per second from the first POST to the last arrival), latency POST -> agency topic, duplicates, and
   the CPU each component of the stack spent per application (usage.py).
3. Open loop at half the closed loop's applications/s: the latency of a pipeline that keeps up.
4. The ratio of 2 to 1.
With --rate only an open loop at that rate is run (N applications), with its CPU per application. Exits
non-zero when an accepted application did not arrive or arrived twice, or the relay lost a message.
"""

import dataclasses

from civicflow.local import usage
from civicflow.local.layout import Layout
from civicflow.local.load import LoadResult, post_applications
from civicflow.local.relay import DEFAULT_MESSAGES, RelayResult, run_relay
from civicflow.local.report import BenchReport, format_report

OPEN_LOOP_SECONDS = 20.0


async def run_bench(
    layout: Layout,
    count: int,
    concurrency: int,
    rate: float | None = None,
    relay_messages: int = DEFAULT_MESSAGES,
    open_loop_seconds: float = OPEN_LOOP_SECONDS,
) -> int:
    pids = usage.component_pids(usage.run_dir(layout))
    rest = await usage.at_rest(pids)
    idle = rest.idle_below
    print(f"the stack at rest: {rest.cores:.2f} cores; idle below {idle:.2f}")
    await usage.quiet_before(pids, "the benchmark", idle)  # what an earlier run left behind is not measured here
    if rate is not None:
        label = f"open loop at {rate:g}/s"
        run, spent = await _measured(layout, pids, count, concurrency, rate, label, idle)
        report = BenchReport(f"CivicFlow benchmark: {count} applications at {rate:g}/s", [run], usage=spent)
        print("\n" + format_report(report))
        return 0 if run.accepted and run.complete else 1

    relay, broker_cpu = None, None
    if relay_messages > 0:
        relay, broker_cpu = await _relay(layout, pids, relay_messages)
        await usage.quiet_before(pids, "the closed loop", idle)
    label = f"closed loop, {concurrency} in flight"
    closed, spent = await _measured(layout, pids, count, concurrency, None, label, idle)
    runs = [closed]
    if closed.arrived_per_second > 0:
        half = closed.arrived_per_second / 2
        open_count = max(1, min(count // 2, round(half * open_loop_seconds)))
        runs.append(await post_applications(layout, open_count, concurrency, half, f"open loop at {half:.1f}/s"))
    final = usage.snapshot(pids)  # VmHWM is a peak since start: read last, it covers every run
    spent = _with_peaks(spent, final)
    title = f"CivicFlow benchmark: {count} applications, {concurrency} in flight"
    print("\n" + format_report(BenchReport(title, runs, relay, broker_cpu, spent)))
    complete = closed.accepted > 0 and all(run.complete for run in runs) and (relay is None or relay.complete)
    return 0 if complete else 1


async def _relay(layout: Layout, pids: dict[str, int], messages: int) -> tuple[RelayResult, float | None]:
    before = usage.snapshot(pids)
    relay = await run_relay(layout.kafka_admin, messages)
    spent = usage.cpu_used(before, usage.snapshot(pids))
    return relay, spent.get("kafka")


async def _measured(
    layout: Layout,
    pids: dict[str, int],
    count: int,
    concurrency: int,
    rate: float | None,
    label: str,
    idle_below: float,
) -> tuple[LoadResult, usage.Usage]:
    """A run and the CPU it cost, up to the moment the stack is idle again (mails and timelines included)."""
    before, client_before = usage.snapshot(pids), usage.own_cpu_seconds()
    run = await post_applications(layout, count, concurrency, rate, label)
    settled = await usage.until_idle(pids, idle_below)
    after, client_after = usage.snapshot(pids), usage.own_cpu_seconds()
    spent = usage.Usage(
        applications=run.accepted,
        cpu_seconds=usage.cpu_used(before, after),
        peak_rss_kib={name: part.peak_rss_kib for name, part in after.items()},
        client_cpu_seconds=client_after - client_before,
        client_peak_rss_kib=usage.own_peak_rss_kib(),
        settle_seconds=settled.seconds,
        settled=settled.idle,
        idle_below=idle_below,
    )
    return run, spent


def _with_peaks(spent: usage.Usage, final: dict[str, usage.ComponentSample]) -> usage.Usage:
    peaks = {name: max(spent.peak_rss_kib.get(name, 0), part.peak_rss_kib) for name, part in final.items()}
    return dataclasses.replace(spent, peak_rss_kib=peaks, client_peak_rss_kib=usage.own_peak_rss_kib())
