"""What the fault run waits for: the stream flowing again after a fault, and at the end the whole pipeline done."""

import asyncio
from collections.abc import Mapping

import httpx

from civicflow.local.chaos.clock import Clock
from civicflow.local.chaos.counts import STEPS, Timeline
from civicflow.local.chaos.stream import Stream
from civicflow.local.chaos.watch import Mailbox, TopicWatch, read_timelines

PROGRESS_EVERY_SECONDS = 10.0


async def in_pipeline(stream: Stream, watch: TopicWatch, mailbox: Mailbox | None) -> int:
    """Applications accepted and not yet on their agency topic with their three mails."""
    mails = None if mailbox is None else await asyncio.to_thread(mailbox.scan)
    ids = (item.submission_id for item in stream.accepted)
    return sum(1 for sid in ids if sid not in watch.first_seen or not _mailed(mails, sid))


async def until_flowing(
    stream: Stream, watch: TopicWatch, mailbox: Mailbox | None, since: float, timeout: float, clock: Clock
) -> float | None:
    """When an application accepted after `since` had reached its agency topic and got its three mails (when the
    mailbox can be read): the whole pipeline works again. None if none did within `timeout`."""
    deadline = clock.now() + timeout
    while clock.now() < deadline:
        watch.check()
        mails = None if mailbox is None else await asyncio.to_thread(mailbox.scan)
        for item in stream.accepted_since(since):
            if item.submission_id in watch.first_seen and _mailed(mails, item.submission_id):
                at = clock.now()
                clock.say(f"flowing again: an application accepted since then went all the way ({at - since:.1f} s)")
                return at
        await asyncio.sleep(0.5)
    clock.say(f"not flowing again {timeout:.0f} s after the component came back")
    return None


async def until_done(
    stream: Stream, watch: TopicWatch, mailbox: Mailbox | None, client: httpx.AsyncClient, stall: float, clock: Clock
) -> bool:
    """Until every accepted application is delivered, mailed and has a complete timeline (True), or nothing
    moved for `stall` seconds (False). A timeline is read once the application is delivered and mailed."""
    timelines: dict[str, Timeline] = {}
    best, last_progress, last_said = len(stream.accepted) * 3 + 1, clock.now(), clock.now()
    while True:
        watch.check()
        mails = None if mailbox is None else await asyncio.to_thread(mailbox.scan)
        ids = [item.submission_id for item in stream.accepted]
        undelivered = {submission_id for submission_id in ids if submission_id not in watch.first_seen}
        unmailed = {submission_id for submission_id in ids if not _mailed(mails, submission_id)}
        ready = [item for item in stream.accepted if item.submission_id not in undelivered | unmailed]
        timelines.update(await read_timelines(client, [item for item in ready if _open(timelines, item.submission_id)]))
        incomplete = sum(1 for submission_id in ids if _open(timelines, submission_id))
        left = len(undelivered) + len(unmailed) + incomplete
        if left == 0:
            clock.say("pipeline done: every accepted application delivered, mailed and with a complete timeline")
            return True
        if left < best:
            best, last_progress = left, clock.now()
        elif clock.now() - last_progress > stall:
            clock.say(f"no progress for {stall:.0f} s; counting what is there")
            return False
        if clock.now() - last_said >= PROGRESS_EVERY_SECONDS:
            last_said = clock.now()
            clock.say(
                f"waiting: {len(undelivered)} not on their agency topic, {len(unmailed)} without every mail,"
                f" {incomplete} timelines incomplete"
            )
        await asyncio.sleep(1.0)


def _mailed(mails: Mapping[tuple[str, str], int] | None, submission_id: str) -> bool:
    """Every step's mail is there, or the mailbox cannot be read."""
    return mails is None or all((submission_id, str(step)) in mails for step in STEPS)


def _open(timelines: dict[str, Timeline], submission_id: str) -> bool:
    timeline = timelines.get(submission_id)
    return timeline is None or bool(timeline.missing())
