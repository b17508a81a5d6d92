"""The benchmark's report: percentiles and the tables, from results made up here."""

import pytest

from civicflow.local.load import LoadResult
from civicflow.local.relay import RelayResult
from civicflow.local.report import BenchReport, format_growth, format_report, percentiles
from civicflow.local.usage import Usage

MIB = 1024


def closed_loop() -> LoadResult:
    latencies = tuple(milliseconds / 1000 for milliseconds in range(1, 2001))  # 1 ms ... 2000 ms
    return LoadResult("closed loop, 50 in flight", 2000, 2000, 2000, 0, 64.0, 125.0, latencies)


def test_percentiles_stay_within_what_was_observed() -> None:
    assert percentiles([0.1 * n for n in range(1, 101)]) == pytest.approx((5.05, 9.505, 9.901))
    assert percentiles([0.25]) == (0.25, 0.25, 0.25)
    assert percentiles([]) == ()
    assert percentiles([3.0, 1.0, 2.0], points=(50,)) == (2.0,)


def test_the_report_shows_the_runs_the_ratio_and_the_cost_per_application() -> None:
    open_loop = LoadResult("open loop at 8.0/s", 160, 159, 158, 1, 20.0, 20.2, (0.1,) * 158, {"HTTP 503": 1})
    usage = Usage(
        applications=2000,
        cpu_seconds={"ferretdb": 80.0, "kafka": 14.0, "intake": 10.0, "idp": 0.0},
        peak_rss_kib={"ferretdb": 90 * MIB, "kafka": 600 * MIB, "intake": 80 * MIB, "idp": 30 * MIB},
        client_cpu_seconds=12.0,
        client_peak_rss_kib=70 * MIB,
        settle_seconds=8.5,
    )
    report = BenchReport(
        "CivicFlow benchmark: 2000 applications, 50 in flight",
        [closed_loop(), open_loop],
        relay=RelayResult(messages=60000, arrived=60000, duplicates=0, seconds=12.0, cpu_seconds=15.0),
        relay_broker_cpu_seconds=6.0,
        usage=usage,
    )
    assert format_report(report) == (
        "CivicFlow benchmark: 2000 applications, 50 in flight\n"
        "\n"
        "run                             sent  arrived  twice         rate       p50       p95       p99\n"
        "bare relay, 4 hops, 1 KB       60000    60000      0   5000 msg/s         -         -         -\n"
        "closed loop, 50 in flight       2000     2000      0   16.0 app/s   1000 ms   1900 ms   1980 ms\n"
        "open loop at 8.0/s               159      158      1    7.8 app/s    100 ms    100 ms    100 ms\n"
        "\n"
        "accepted (closed loop, 50 in flight): 2000 of 2000 in 64.0 s = 31.2/s\n"
        "not accepted (open loop at 8.0/s): HTTP 503 x1\n"
        "did not arrive (open loop at 8.0/s): 1\n"
        "ratio: CivicFlow 16.0 app/s / bare relay 5000 msg/s = 0.32 %\n"
        "relay CPU per message: 0.250 ms in the relay, 0.100 ms in kafka\n"
        "\n"
        "component       CPU ms/app  peak RSS MiB\n"
        "ferretdb              40.0            90\n"
        "kafka                  7.0           600\n"
        "intake                 5.0            80\n"
        "idp                    0.0            30\n"
        "total                 52.0           800\n"
        "bench client           6.0            70\n"
        "CPU: 2000 applications, from the first POST until the stack was idle again (8.5 s\n"
        "after the last arrival), every process in each component's session; peak RSS: VmHWM, summed over"
        " those processes."
    )


def test_an_open_loop_alone_has_no_relay_and_no_ratio() -> None:
    run = LoadResult("open loop at 8/s", 300, 300, 300, 0, 37.5, 37.6, (0.134,) * 300)
    text = format_report(BenchReport("CivicFlow benchmark: 300 applications at 8/s", [run]))
    assert "open loop at 8/s                 300      300      0    8.0 app/s    134 ms    134 ms    134 ms" in text
    assert "relay" not in text and "ratio" not in text and "component" not in text


def test_cpu_cut_off_before_the_stack_was_idle_says_so() -> None:
    usage = Usage(20, {"intake": 1.0}, {"intake": 80 * MIB}, 0.2, 70 * MIB, settle_seconds=300.2, settled=False)
    text = format_report(BenchReport("t", [closed_loop()], usage=usage))
    assert "until 300 s after the last arrival\n(still busy then: the rest is not counted)" in text
    assert "intake                50.0            80" in text


def test_the_report_says_what_counted_as_idle() -> None:
    usage = Usage(20, {"intake": 1.0}, {"intake": 80 * MIB}, 0.2, 70 * MIB, settle_seconds=8.5, idle_below=0.25)
    text = format_report(BenchReport("t", [closed_loop()], usage=usage))
    assert "until the stack was idle again (below 0.25 cores, 8.5 s\nafter the last arrival)" in text


def test_growth_is_compared_with_the_first_level() -> None:
    fuller = LoadResult("measuring at 10000", 1000, 1000, 1000, 0, 30.0, 80.0, (0.5,) * 1000)
    assert format_growth([(0, closed_loop()), (10000, fuller)]) == (
        "    stored      app/s    change       p95    change\n"
        "         0       16.0         -   1900 ms         -\n"
        "     10000       12.5     -22 %    500 ms     -74 %"
    )
