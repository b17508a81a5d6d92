"""The benchmark's report: percentiles and the tables printed at the end of `make bench` and
`make bench-growth`. Pure: results in, lines out."""

import statistics
from collections.abc import Sequence
from dataclasses import dataclass

from civicflow.local.load import LoadResult
from civicflow.local.relay import HOPS, MESSAGE_BYTES, RelayResult
from civicflow.local.usage import Usage

MIB = 1024


@dataclass(frozen=True)
class BenchReport:
    title: str
    runs: Sequence[LoadResult]
    relay: RelayResult | None = None
    relay_broker_cpu_seconds: float | None = None  # Kafka's CPU during the relay run, when Kafka is local
    usage: Usage | None = None


def percentiles(values: Sequence[float], points: Sequence[int] = (50, 95, 99)) -> tuple[float, ...]:
    """The given percentiles (inclusive method: they stay within the observed range); empty for no values."""
    if not values:
        return ()
    if len(values) == 1:
        return tuple(values[0] for _ in points)
    cuts = statistics.quantiles(values, n=100, method="inclusive")
    return tuple(cuts[point - 1] for point in points)


def format_report(report: BenchReport) -> str:
    lines = [report.title, "", *_runs_table(report), *_notes(report)]
    if report.usage is not None:
        lines += ["", *_usage_table(report.usage)]
    return "\n".join(lines)


def _runs_table(report: BenchReport) -> list[str]:
    row = "{:<28} {:>7} {:>8} {:>6} {:>12} {:>9} {:>9} {:>9}"
    lines = [row.format("run", "sent", "arrived", "twice", "rate", "p50", "p95", "p99")]
    if report.relay is not None:
        relay = report.relay
        rate = f"{relay.per_second:.0f} msg/s"
        name = f"bare relay, {HOPS} hops, {MESSAGE_BYTES // 1024} KB"
        lines.append(row.format(name, relay.messages, relay.arrived, relay.duplicates, rate, "-", "-", "-"))
    for run in report.runs:
        cuts = [_milliseconds(cut) for cut in percentiles(run.latencies)] or ["-"] * 3
        rate = f"{run.arrived_per_second:.1f} app/s"
        lines.append(row.format(run.label, run.accepted, run.arrived, run.duplicates, rate, *cuts))
    return lines


def _notes(report: BenchReport) -> list[str]:
    first = report.runs[0]
    lines = [
        "",
        f"accepted ({first.label}): {first.accepted} of {first.posted} in {first.post_seconds:.1f} s"
        f" = {first.accepted_per_second:.1f}/s",
    ]
    for run in report.runs:
        if run.failures:
            failed = ", ".join(f"{outcome} x{n}" for outcome, n in sorted(run.failures.items()))
            lines.append(f"not accepted ({run.label}): {failed}")
        if run.arrived < run.accepted:
            lines.append(f"did not arrive ({run.label}): {run.accepted - run.arrived}")
    relay = report.relay
    if relay is not None and relay.per_second > 0:
        share = first.arrived_per_second / relay.per_second * 100
        lines.append(
            f"ratio: CivicFlow {first.arrived_per_second:.1f} app/s / bare relay {relay.per_second:.0f} msg/s"
            f" = {share:.2f} %"
        )
        relay_cpu = f"relay CPU per message: {relay.cpu_seconds / relay.messages * 1000:.3f} ms in the relay"
        if report.relay_broker_cpu_seconds is not None:
            relay_cpu += f", {report.relay_broker_cpu_seconds / relay.messages * 1000:.3f} ms in kafka"
        lines.append(relay_cpu)
    return lines


def _usage_table(usage: Usage) -> list[str]:
    row = "{:<14} {:>11} {:>13}"
    per_app = 1000 / max(usage.applications, 1)
    names = sorted(usage.cpu_seconds.keys() | usage.peak_rss_kib.keys(), key=lambda n: -usage.cpu_seconds.get(n, 0))
    lines = [row.format("component", "CPU ms/app", "peak RSS MiB")]
    for name in names:
        cpu, rss = usage.cpu_seconds.get(name, 0.0) * per_app, usage.peak_rss_kib.get(name, 0) / MIB
        lines.append(row.format(name, f"{cpu:.1f}", f"{rss:.0f}"))
    total_cpu, total_rss = sum(usage.cpu_seconds.values()) * per_app, sum(usage.peak_rss_kib.values()) / MIB
    lines.append(row.format("total", f"{total_cpu:.1f}", f"{total_rss:.0f}"))
    client_cpu, client_rss = usage.client_cpu_seconds * per_app, usage.client_peak_rss_kib / MIB
    lines.append(row.format("bench client", f"{client_cpu:.1f}", f"{client_rss:.0f}"))
    until = (
        f"until the stack was idle again ({_below(usage)}{usage.settle_seconds:.1f} s\nafter the last arrival)"
        if usage.settled
        else f"until {usage.settle_seconds:.0f} s after the last arrival\n(still busy then: the rest is not counted)"
    )
    lines.append(
        f"CPU: {usage.applications} applications, from the first POST {until}, every process in each"
        " component's session; peak RSS: VmHWM, summed over those processes."
    )
    return lines


def format_growth(rows: Sequence[tuple[int, LoadResult]]) -> str:
    """One row per fill level: applications stored before the run, its throughput and p95, and the change
    of both against the first row."""
    row = "{:>10} {:>10} {:>9} {:>9} {:>9}"
    lines = [row.format("stored", "app/s", "change", "p95", "change")]
    base_rate, base_p95 = None, None
    for stored, run in rows:
        cuts = percentiles(run.latencies)
        p95 = cuts[1] if cuts else None
        rate = run.arrived_per_second
        rate_change, p95_change = _change(rate, base_rate), _change(p95, base_p95)
        lines.append(row.format(stored, f"{rate:.1f}", rate_change, _milliseconds(p95), p95_change))
        if base_rate is None:
            base_rate, base_p95 = rate, p95
    return "\n".join(lines)


def _milliseconds(seconds: float | None) -> str:
    return "-" if seconds is None else f"{seconds * 1000:.0f} ms"


def _change(value: float | None, base: float | None) -> str:
    if value is None or not base:
        return "-"
    return f"{(value - base) / base * 100:+.0f} %"


def _below(usage: Usage) -> str:
    return f"below {usage.idle_below:.2f} cores, " if usage.idle_below else ""
