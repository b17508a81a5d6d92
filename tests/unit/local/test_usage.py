"""CPU and peak memory per component, read from /proc text: here a /proc laid out in a temporary directory,
plus one look at the real /proc of this test's own process."""

import asyncio
import os
import sys
from pathlib import Path

from civicflow.local.usage import (
    ComponentSample,
    Rest,
    at_rest,
    component_pids,
    cpu_used,
    parse_peak_rss_kib,
    parse_stat,
    snapshot,
)

TICK = os.sysconf("SC_CLK_TCK")


def stat_line(
    pid: int, comm: str, session: int, utime: int, stime: int, cutime: int = 0, cstime: int = 0, parent: int = 1
) -> str:
    # proc(5): pid (comm) state ppid pgrp session tty_nr tpgid flags minflt cminflt majflt cmajflt
    #          utime stime cutime cstime priority nice num_threads ...
    return (
        f"{pid} ({comm}) S {parent} {session} {session} 0 -1 4194304 98 0 0 0 {utime} {stime} {cutime} {cstime}"
        " 20 0 1 0"
    )


def process(proc: Path, pid: int, stat: str, peak_kib: int | None) -> None:
    (proc / str(pid)).mkdir(parents=True)
    (proc / str(pid) / "stat").write_text(stat + "\n")
    memory = f"VmPeak:\t  {2 * (peak_kib or 0)} kB\nVmHWM:\t  {peak_kib} kB\n" if peak_kib is not None else ""
    (proc / str(pid) / "status").write_text(f"Name:\tx\nState:\tS (sleeping)\n{memory}Threads:\t1\n")


def test_the_cpu_of_a_process_counts_its_reaped_children_and_survives_odd_names() -> None:
    sample = parse_stat(stat_line(4242, "postgres: civicflow (idle) )", 4200, 150, 50, 7, 3))
    assert sample.session == 4200
    assert sample.cpu_ticks == 150 + 50 + 7 + 3


def test_peak_rss_is_vmhwm_and_nothing_for_a_process_without_memory() -> None:
    assert parse_peak_rss_kib("Name:\tjava\nVmPeak:\t 9000 kB\nVmHWM:\t  361024 kB\nVmRSS:\t 1 kB\n") == 361024
    assert parse_peak_rss_kib("Name:\tkworker\nState:\tI (idle)\n") == 0


def test_a_component_is_every_process_of_its_session(tmp_path: Path) -> None:
    proc = tmp_path / "proc"
    process(proc, 100, stat_line(100, "java", 100, 1000, 200), 300_000)
    process(proc, 200, stat_line(200, "postgres", 200, 10, 5, cutime=40, cstime=10), 20_000)
    process(proc, 201, stat_line(201, "postgres: backend", 200, 30, 10), 8_000)
    process(proc, 202, stat_line(202, "postgres: zombie", 200, 0, 0), None)
    # PostgreSQL's backends start a session of their own (setsid): they belong to the postmaster as its children.
    process(proc, 203, stat_line(203, "postgres: ferretdb", 203, 60, 20, parent=200), 9_000)
    process(proc, 300, stat_line(300, "bash", 300, 99, 99), 1_000)  # not a component
    (proc / "self").mkdir()
    (proc / "uptime").write_text("1.0 1.0\n")

    found = snapshot({"kafka": 100, "postgres": 200, "gone": 999}, proc=proc)

    assert found == {
        "kafka": ComponentSample(cpu_seconds=1200 / TICK, peak_rss_kib=300_000, processes=1),
        "postgres": ComponentSample(cpu_seconds=185 / TICK, peak_rss_kib=37_000, processes=4),
    }


def test_cpu_used_is_the_difference_for_components_running_at_both_samples() -> None:
    before = {"kafka": ComponentSample(10.0, 1, 1), "smtp": ComponentSample(1.0, 1, 1)}
    after = {"kafka": ComponentSample(12.5, 1, 1), "intake": ComponentSample(3.0, 1, 1)}
    assert cpu_used(before, after) == {"kafka": 2.5}


def test_component_pids_come_from_the_pid_files(tmp_path: Path) -> None:
    (tmp_path / "kafka.pid").write_text("123\n")
    (tmp_path / "intake.pid").write_text("456")
    (tmp_path / "broken.pid").write_text("")
    (tmp_path / "kafka.log").write_text("not a pid file")
    assert component_pids(tmp_path) == {"intake": 456, "kafka": 123}


def test_the_real_proc_of_this_process_parses() -> None:
    own = parse_stat(Path(f"/proc/{os.getpid()}/stat").read_text())
    assert own.session == os.getsid(0)
    assert own.cpu_ticks > 0
    assert parse_peak_rss_kib(Path(f"/proc/{os.getpid()}/status").read_text()) > 1024


def test_idle_is_below_the_fixed_mark_or_a_margin_above_what_the_stack_uses_at_rest() -> None:
    assert Rest(0.04).idle_below == 0.15  # a fast machine: the fixed mark
    assert round(Rest(0.21).idle_below, 2) == 0.26  # a slower one: its own rest, and a margin


async def test_at_rest_takes_the_quietest_window_of_a_running_component() -> None:
    """A child busy for the wait and the first windows, then asleep: the quietest window is its rest (a mean or the
    latest window would count its work)."""
    busy_then_sleeping = "import time\nend = time.time() + 1.7\nwhile time.time() < end: pass\ntime.sleep(30)"
    child = await asyncio.create_subprocess_exec(sys.executable, "-c", busy_then_sleeping, start_new_session=True)
    try:
        rest = await at_rest({"child": child.pid}, settle_cores=2.0, windows=4, window_seconds=0.3)
    finally:
        child.kill()
        await child.wait()
    assert rest.cores < 0.1 and rest.idle_below == 0.15
