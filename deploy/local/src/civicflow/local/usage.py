"""CPU time and peak memory of the local stack's components, read from /proc.

A component is what has a pid file in the stack's run dir. It was started in a session of its own, so its
processes are every process whose session id is that pid, or that descends from it: forked children count
too (PostgreSQL's backends, one per connection, each start a session of their own). CPU is utime + stime of
each process plus cutime + cstime, the CPU of children it has already reaped, so a child that ends between
two samples is not lost (proc(5), /proc/<pid>/stat fields 14-17). Peak memory is VmHWM (proc(5),
/proc/<pid>/status), the peak resident set of each process since it started, summed over the component's
processes.
"""

import asyncio
import os
import resource
import time
from dataclasses import dataclass
from pathlib import Path

from civicflow.local.layout import Layout
from civicflow.local.stack import Stack

PROC = Path("/proc")


@dataclass(frozen=True)
class ProcessSample:
    session: int
    cpu_ticks: int
    parent: int = 0


@dataclass(frozen=True)
class ComponentSample:
    cpu_seconds: float
    peak_rss_kib: int
    processes: int


@dataclass(frozen=True)
class Usage:
    """What a run cost: CPU seconds per component, peak RSS per component, and the bench client's own."""

    applications: int
    cpu_seconds: dict[str, float]
    peak_rss_kib: dict[str, int]
    client_cpu_seconds: float
    client_peak_rss_kib: int
    settle_seconds: float  # from the last arrival until the stack was idle again, inside the CPU window
    settled: bool = True  # False: still busy when the wait ended, so the CPU of what was left is missing
    idle_below: float = 0.0  # cores: what counted as idle (Rest), 0 when not said


def parse_stat(text: str) -> ProcessSample:
    """The session and the CPU ticks (own and reaped children's) from the text of /proc/<pid>/stat."""
    # The command name (field 2) is in parentheses and may itself hold spaces and parentheses.
    fields = text[text.rindex(")") + 2 :].split()  # fields[0] is field 3, `state`
    session = int(fields[6 - 3])
    cpu_ticks = sum(int(fields[number - 3]) for number in (14, 15, 16, 17))
    return ProcessSample(session=session, cpu_ticks=cpu_ticks, parent=int(fields[4 - 3]))


def parse_peak_rss_kib(status_text: str) -> int:
    """VmHWM in KiB from the text of /proc/<pid>/status; 0 for a process without memory (a zombie)."""
    for line in status_text.splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return 0


def run_dir(layout: Layout) -> Path:
    # The stack names its run dir; parts=[] builds no components, only the paths.
    return Stack(layout, parts=[]).run_dir


def component_pids(pid_dir: Path) -> dict[str, int]:
    """Each component's pid, from its pid file: `<name>.pid`."""
    found = {}
    for pid_file in sorted(pid_dir.glob("*.pid")):
        try:
            found[pid_file.stem] = int(pid_file.read_text().strip())
        except (OSError, ValueError):
            continue
    return found


def snapshot(pids: dict[str, int], proc: Path = PROC) -> dict[str, ComponentSample]:
    """CPU seconds and peak RSS of each component that has at least one live process."""
    names = {pid: name for name, pid in pids.items()}
    processes: dict[int, tuple[ProcessSample, int]] = {}
    for entry in proc.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            processes[int(entry.name)] = (
                parse_stat((entry / "stat").read_text()),
                parse_peak_rss_kib((entry / "status").read_text()),
            )
        except (OSError, ValueError, IndexError):  # it ended while we looked
            continue
    ticks: dict[str, int] = {}
    rss: dict[str, int] = {}
    count: dict[str, int] = {}
    for pid, (process, peak) in processes.items():
        name = _component_of(pid, processes, names)
        if name is None:
            continue
        ticks[name] = ticks.get(name, 0) + process.cpu_ticks
        rss[name] = rss.get(name, 0) + peak
        count[name] = count.get(name, 0) + 1
    per_second = os.sysconf("SC_CLK_TCK")
    return {name: ComponentSample(ticks[name] / per_second, rss[name], count[name]) for name in sorted(ticks)}


def _component_of(pid: int, processes: dict[int, tuple[ProcessSample, int]], names: dict[int, str]) -> str | None:
    """The component a process belongs to: by its session, or by the nearest ancestor that is a component."""
    ancestor = pid
    for _ in range(64):  # a process tree is shallow; the bound guards against a pid reused while we look
        found = processes.get(ancestor)
        if found is None:
            return None
        name = names.get(ancestor) or names.get(found[0].session)
        if name is not None:
            return name
        ancestor = found[0].parent
    return None


def cpu_used(before: dict[str, ComponentSample], after: dict[str, ComponentSample]) -> dict[str, float]:
    """CPU seconds each component used between two samples; one not running at both is left out."""
    return {name: after[name].cpu_seconds - before[name].cpu_seconds for name in after if name in before}


def own_cpu_seconds() -> float:
    times = os.times()
    return times.user + times.system


def own_peak_rss_kib() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux (getrusage(2))


# The stack counts as idle below this many cores, or a little above what it uses at rest when that is more (Rest).
IDLE_CORES = 0.15
IDLE_MARGIN_CORES = 0.05


@dataclass(frozen=True)
class Settled:
    seconds: float
    idle: bool


@dataclass(frozen=True)
class Rest:
    """What the idle stack uses: its consumers' long polls and heartbeats. It costs more CPU time on a slower machine,
    and above a fixed mark a wait for "idle" would last until its timeout, counting minutes of polling as the run's
    work."""

    cores: float

    @property
    def idle_below(self) -> float:
        return max(IDLE_CORES, self.cores + IDLE_MARGIN_CORES)


async def at_rest(
    pids: dict[str, int], settle_cores: float = 0.5, windows: int = 6, window_seconds: float = 3.0
) -> Rest:
    """Once what an earlier run left behind is done (below `settle_cores`), the least the stack used in a few
    windows: a window with some late work in it does not count."""
    await until_idle(pids, busy_cores=settle_cores)
    used = []
    for _ in range(windows):
        before = sum(part.cpu_seconds for part in snapshot(pids).values())
        await asyncio.sleep(window_seconds)
        used.append((sum(part.cpu_seconds for part in snapshot(pids).values()) - before) / window_seconds)
    return Rest(min(used))


async def until_idle(
    pids: dict[str, int],
    busy_cores: float = IDLE_CORES,
    window_seconds: float = 1.0,
    timeout_seconds: float = 300.0,
) -> Settled:
    """Wait until the components together use less than `busy_cores` for a whole window: the work a run
    left behind (e-mails, timeline updates, consumers catching up) is done."""
    begin = time.perf_counter()
    last = sum(part.cpu_seconds for part in snapshot(pids).values())
    while time.perf_counter() - begin < timeout_seconds:
        await asyncio.sleep(window_seconds)
        now = sum(part.cpu_seconds for part in snapshot(pids).values())
        if now - last < busy_cores * window_seconds:
            return Settled(time.perf_counter() - begin, idle=True)
        last = now
    return Settled(time.perf_counter() - begin, idle=False)


async def quiet_before(pids: dict[str, int], what: str, busy_cores: float = IDLE_CORES) -> None:
    """Let the stack finish earlier work before `what` starts; say so when it did not."""
    settled = await until_idle(pids, busy_cores)
    if not settled.idle:
        print(f"the stack was still busy after {settled.seconds:.0f} s; {what} starts anyway")
