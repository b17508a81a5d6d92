"""The faults of a run, in turn: each service crashed (SIGKILL) and started again, the broker restarted (stop +
start), the store stopped for a while: FerretDB itself, then PostgreSQL under a running FerretDB (which then
answers every call with an InternalError). Each fault ends when the component is healthy again. A component
this stack does not run (an external Kafka or store) is skipped."""

import asyncio
import signal
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from civicflow.local.chaos.clock import Clock
from civicflow.local.stack import Stack, StackError

SERVICES = ("intake", "identity", "routing", "notify")


class Kind(StrEnum):
    KILL = "kill"  # SIGKILL to the process group, then started again
    RESTART = "restart"  # stopped with its own signal, then started again
    OUTAGE = "outage"  # stopped with its own signal, left down for a while, then started again


@dataclass(frozen=True)
class Fault:
    component: str
    kind: Kind
    down_seconds: float = 0.0

    @property
    def title(self) -> str:
        if self.kind is Kind.KILL:
            return f"{self.component} killed (SIGKILL), started again"
        if self.kind is Kind.RESTART:
            return f"{self.component} restarted (stop + start)"
        under = " under a running ferretdb" if self.component == "postgres" else ""
        return f"store down {self.down_seconds:g} s: {self.component} stopped{under}"


@dataclass(frozen=True)
class FaultRecord:
    fault: Fault
    began: float  # run seconds
    back: float  # healthy again
    in_flight: int = 0  # applications accepted but not yet on their agency topic with a mail, as it struck
    flowing: float | None = None  # an application accepted after `back` went all the way; None: not in time


def every_fault(store_down_seconds: float) -> list[Fault]:
    return [
        *(Fault(service, Kind.KILL) for service in SERVICES),
        Fault("kafka", Kind.RESTART),
        Fault("ferretdb", Kind.OUTAGE, store_down_seconds),
        Fault("postgres", Kind.OUTAGE, store_down_seconds),
    ]


def plan(stack: Stack, faults: Sequence[Fault]) -> tuple[list[Fault], list[Fault]]:
    """The faults this stack can take, and those it cannot (the component runs elsewhere). Refuses a stack
    whose components were started on another var/ (no pid files here): stopping them is not ours to do."""
    own = {part.name for part in stack.parts}
    doable = [fault for fault in faults if fault.component in own]
    unknown = [fault.component for fault in doable if not (stack.run_dir / f"{fault.component}.pid").exists()]
    if unknown:
        raise StackError(
            f"no pid file for {', '.join(unknown)} in {stack.run_dir}: start the stack with `make up` and the same"
            " CIVICFLOW_VAR_DIR first"
        )
    return doable, [fault for fault in faults if fault.component not in own]


async def inflict(fault: Fault, stack: Stack, clock: Clock, number: str, in_flight: int) -> FaultRecord:
    clock.say(f"fault {number}: {fault.title}; {in_flight} applications in the pipeline")
    began = clock.now()
    crash = signal.SIGKILL if fault.kind is Kind.KILL else None
    # In a thread: a clean stop can take seconds (Kafka's), and the stream must not wait for it.
    if not await asyncio.to_thread(stack.stop, fault.component, crash):
        raise StackError(f"{fault.component} was not running under {stack.run_dir}")
    if fault.kind is Kind.OUTAGE:
        await asyncio.sleep(fault.down_seconds)
    await stack.start(fault.component)
    back = clock.now()
    clock.say(f"{fault.component}: healthy again, {back - began:.1f} s after the fault")
    return FaultRecord(fault, began, back, in_flight)


async def restore(stack: Stack) -> None:
    """Every component of the stack running and healthy, whatever happened during the run (in start order)."""
    for part in stack.parts:
        if not await part.healthy():
            await stack.start(part.name)
