"""What the fault run waits for: the stream flowing again after a fault, and at the end the whole pipeline done."""

import asyncio
from collections.abc import Mapping

import httpx

from civicflow.local.chaos.clock import Clock
from civicflow.local.chaos.mails import MailKey
from civicflow.local.chaos.stream import Stream
from civicflow.local.chaos.timeline import Timeline
from civicflow.local.chaos.watch import Mailbox, TopicWatch, read_timelines

PROGRESS_EVERY_SECONDS = 10.0


async def in_pipeline(stream: Stream, watch: TopicWatch, mailbox: Mailbox | None) -> int:
    """Applications accepted and not yet on their agency topic with a mail to their citizen."""
    mailed = await _mailed(mailbox)
    ids = (item.submission_id for item in stream.accepted)
    return sum(1 for sid in ids if sid not in watch.first_seen or (mailed is not None and sid not in mailed))


async def until_flowing(
    stream: Stream, watch: TopicWatch, mailbox: Mailbox | None, since: float, timeout: float, clock: Clock
) -> float | None:
    """When an application accepted after `since` had reached its agency topic and its citizen had a mail (when
    the mailbox can be read): the whole pipeline works again. None if none did within `timeout`."""
    deadline = clock.now() + timeout
    while clock.now() < deadline:
        watch.check()
        mailed = await _mailed(mailbox)
        for item in stream.accepted_since(since):
            if item.submission_id in watch.first_seen and (mailed is None or item.submission_id in mailed):
                at = clock.now()
                clock.say(f"flowing again: an application accepted since then went all the way ({at - since:.1f} s)")
                return at
        await asyncio.sleep(0.5)
    clock.say(f"not flowing again {timeout:.0f} s after the component came back")
    return None


async def until_done(stream: Stream, watch: TopicWatch, client: httpx.AsyncClient, stall: float, clock: Clock) -> bool:
    """Until every accepted application is delivered and has a complete timeline (True): every step, each step
    that tells told by a message that went out, no message still to be sent; or until nothing moved for `stall`
    seconds (False). A timeline is read once the application is delivered. The mails are counted afterwards: a
    message the timeline calls sent is in the mailbox already."""
    timelines: dict[str, Timeline] = {}
    best, last_progress, last_said = len(stream.accepted) * 2 + 1, clock.now(), clock.now()
    while True:
        watch.check()
        ids = [item.submission_id for item in stream.accepted]
        undelivered = {submission_id for submission_id in ids if submission_id not in watch.first_seen}
        ready = [item for item in stream.accepted if item.submission_id not in undelivered]
        timelines.update(await read_timelines(client, [item for item in ready if _open(timelines, item.submission_id)]))
        incomplete = sum(1 for submission_id in ids if _open(timelines, submission_id))
        left = len(undelivered) + incomplete
        if left == 0:
            clock.say("pipeline done: every accepted application delivered, told, and with a complete timeline")
            return True
        if left < best:
            best, last_progress = left, clock.now()
        elif clock.now() - last_progress > stall:
            clock.say(f"no progress for {stall:.0f} s; counting what is there")
            return False
        if clock.now() - last_said >= PROGRESS_EVERY_SECONDS:
            last_said = clock.now()
            clock.say(f"waiting: {len(undelivered)} not on their agency topic, {incomplete} timelines incomplete")
        await asyncio.sleep(1.0)


async def _mailed(mailbox: Mailbox | None) -> set[str] | None:
    """The submissions with a mail so far; None when the mailbox cannot be read."""
    if mailbox is None:
        return None
    mails: Mapping[MailKey, int] = await asyncio.to_thread(mailbox.scan)
    return {key.submission_id for key in mails}


def _open(timelines: dict[str, Timeline], submission_id: str) -> bool:
    timeline = timelines.get(submission_id)
    return timeline is None or bool(timeline.missing())
