"""The fault run against a running stack: the stream, the faults in turn, the wait for the pipeline, the count.

Each fault strikes right after a burst of applications, so that the services behind intake are working when it
does. Then the run waits until the stream flows again (an application accepted after the component came back
is on its agency topic and its citizen has a mail), and pauses before the next. After the last one it stops
posting and waits until every accepted application is on its agency topic with a complete timeline (every step,
each step that tells told by a message that went out), or until nothing moved for `stall_seconds`; then until
the stack is idle, so that late copies are counted too.
"""

import asyncio
from collections import Counter
from dataclasses import dataclass, replace

import httpx

from civicflow.local import usage
from civicflow.local.agency_keys import private_keys
from civicflow.local.chaos.clock import Clock
from civicflow.local.chaos.counts import ChaosCounts, Observed, count
from civicflow.local.chaos.faults import Fault, FaultRecord, every_fault, inflict, plan, restore
from civicflow.local.chaos.options import ChaosOptions
from civicflow.local.chaos.report import ChaosReport, format_chaos
from civicflow.local.chaos.stream import Stream
from civicflow.local.chaos.waiting import in_pipeline, until_done, until_flowing
from civicflow.local.chaos.watch import Mailbox, TopicWatch, read_timelines
from civicflow.local.stack import Stack
from civicflow.local.topics_admin import agency_ids

IDLE_TIMEOUT_SECONDS = 60.0


@dataclass(frozen=True)
class ChaosRun:
    counts: ChaosCounts
    faults: list[FaultRecord]
    report: str


async def run_chaos(stack: Stack, options: ChaosOptions, clock: Clock) -> ChaosRun:
    """Leaves every component of `stack` running and healthy, also when it fails."""
    layout = stack.layout
    faults, skipped = plan(stack, every_fault(options.store_down_seconds))
    mailbox = None if layout.external_smtp else Mailbox(layout.mail_dir)
    keys = [key for agency_id in agency_ids() for key in private_keys(layout, agency_id)]
    watch = await TopicWatch.open(layout.kafka_admin, clock, keys)
    stream = Stream(layout, options.rate, clock)
    clock.restart()
    try:
        records = await _stream_through(faults, stream, watch, mailbox, stack, options, clock)
        seconds = clock.now()
        async with httpx.AsyncClient(base_url=layout.intake_url, timeout=10.0) as client:
            drained = await until_done(stream, watch, client, options.stall_seconds, clock)
            settled = await usage.until_idle(usage.component_pids(stack.run_dir), timeout_seconds=IDLE_TIMEOUT_SECONDS)
            clock.say(f"stack {'idle' if settled.idle else 'still busy'} {settled.seconds:.0f} s later; counting")
            watch.check()
            observed = Observed(
                accepted=[item.submission_id for item in stream.accepted],
                not_accepted=Counter(item.reason for item in stream.refused),
                deliveries=watch.copies,
                timelines=await read_timelines(client, stream.accepted),
                # Read after the timelines: a mail is kept before notify records that it went (`sending`).
                mails=None if mailbox is None else await asyncio.to_thread(mailbox.scan),
            )
    finally:
        await watch.close()
        await restore(stack)
    counts = count(observed)
    report = ChaosReport(
        rate=options.rate,
        burst=options.burst,
        seconds=seconds,
        posted=stream.posted,
        faults=records,
        skipped=skipped,
        refused=stream.refused,
        seen_again=watch.seen_again,
        counts=counts,
        dead_letters=dict(watch.dead_letters),
        mailbox=None if mailbox is None else str(mailbox.mail_dir),
        drained=drained,
    )
    return ChaosRun(counts, records, format_chaos(report))


async def _stream_through(
    faults: list[Fault],
    stream: Stream,
    watch: TopicWatch,
    mailbox: Mailbox | None,
    stack: Stack,
    options: ChaosOptions,
    clock: Clock,
) -> list[FaultRecord]:
    """The stream from the first fault to the last. Each fault strikes right after a burst, then waits for the
    stream to flow again, and a pause."""
    clock.say(
        f"stream: {options.rate:g} applications/s to {stack.layout.intake_url}; {len(faults)} faults to come,"
        f" each after a burst of {options.burst}"
    )
    posting = asyncio.create_task(stream.run())
    records = []
    try:
        await asyncio.sleep(options.warmup_seconds)
        for number, fault in enumerate(faults, 1):
            await stream.burst(options.burst)
            in_flight = await in_pipeline(stream, watch, mailbox)
            record = await inflict(fault, stack, clock, f"{number}/{len(faults)}", in_flight)
            flowing = await until_flowing(stream, watch, mailbox, record.back, options.flow_timeout_seconds, clock)
            records.append(replace(record, flowing=flowing))
            await asyncio.sleep(options.pause_seconds)
    finally:
        stream.stop()
        await posting
    accepted, refused = len(stream.accepted), len(stream.refused)
    clock.say(f"stream stopped: {stream.posted} posted, {accepted} accepted, {refused} not accepted")
    return records
