"""The fault run, small: a low steady stream while each service is killed, the broker restarted and the store
stopped (FerretDB, then PostgreSQL under it); nothing accepted is lost or delivered twice, and every
application has one mail per step and a complete timeline. The components are left running and healthy."""

import pytest

from civicflow.local.chaos.clock import Clock
from civicflow.local.chaos.faults import every_fault, restore
from civicflow.local.chaos.options import ChaosOptions
from civicflow.local.chaos.run import run_chaos
from civicflow.local.stack import Stack

pytestmark = pytest.mark.e2e

SMALL = ChaosOptions(
    rate=3.0,
    warmup_seconds=3.0,
    pause_seconds=2.0,
    burst=10,
    store_down_seconds=5.0,
    flow_timeout_seconds=60.0,
    stall_seconds=60.0,
)


# About 2.5 minutes on two cores (a killed service takes 15-30 s to rejoin its consumer groups), plus the stack's
# start when this is the session's first e2e test.
@pytest.mark.timeout(480)
async def test_nothing_accepted_is_lost_or_doubled_while_components_fail(running_stack: Stack) -> None:
    clock = Clock()
    # Restarted with the session's settings (its trace collector, its short retries), for the tests after this.
    running = Stack(running_stack.layout, say=clock.say, extra_env=running_stack.extra_env)
    try:
        run = await run_chaos(running, SMALL, clock)
    finally:
        await restore(running)  # the run restores too; this covers a failure before it began
    print(run.report)

    own = {part.name for part in running.parts}
    expected = [fault.title for fault in every_fault(SMALL.store_down_seconds) if fault.component in own]
    assert [record.fault.title for record in run.faults] == expected
    assert all(record.flowing is not None for record in run.faults), run.report
    counts = run.counts
    assert counts.accepted > 0
    assert counts.lost == [], run.report
    assert counts.doubly_delivered == [], run.report
    if counts.mails is not None:
        assert counts.mails.complete == counts.accepted, run.report
    assert counts.timelines_complete == counts.accepted, run.report
    assert counts.failures() == []
    for part in running.parts:
        assert await part.healthy(), part.name
