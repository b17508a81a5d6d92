"""`make bench-growth`: does CivicFlow slow down as its store fills?

Against the running stack: a closed-loop measurement with what is stored now, then applications posted as
fast as intake accepts them (not measured) until the next level is stored, the stack left to finish their
work, and measured again; for each level. "Stored" is what intake's store held when this run began plus
what this run has posted since. Takes long: at the 17-40 applications/s the pipeline manages today,
50,000 take between twenty minutes and an hour.
"""

from collections.abc import Sequence
from typing import Any

from pymongo import AsyncMongoClient

from civicflow.local import usage
from civicflow.local.layout import Layout
from civicflow.local.load import LoadResult, post_applications
from civicflow.local.report import format_growth

DEFAULT_LEVELS = (0, 10_000, 50_000)
# Filled in chunks, each with a fresh identity token (valid 15 minutes) and each delivered before the next:
# a backlog of an hour would outlive its tokens and be rejected.
FILL_CHUNK = 2_000


async def stored_applications(mongo_uri: str) -> int:
    """How many applications intake has stored: the one place that knows where intake keeps them."""
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(mongo_uri)
    try:
        return await client["civicflow_intake"]["submissions"].count_documents({})
    finally:
        await client.close()


async def run_growth(
    layout: Layout, levels: Sequence[int] = DEFAULT_LEVELS, count: int = 1000, concurrency: int = 50
) -> int:
    pids = usage.component_pids(usage.run_dir(layout))
    stored = await stored_applications(layout.mongo_uri)
    print(f"{stored} applications stored at the start")
    rows: list[tuple[int, LoadResult]] = []
    complete = True
    for level in sorted(levels):
        while stored < level:
            chunk = min(FILL_CHUNK, level - stored)
            fill = await post_applications(layout, chunk, concurrency, label=f"filling to {level}")
            stored += fill.accepted
            complete = complete and fill.complete
            if fill.accepted == 0:
                print(f"intake accepts nothing: {fill.failures}")
                return 1
        await usage.quiet_before(pids, "the measurement")
        measured = await post_applications(layout, count, concurrency, label=f"measuring at {stored}")
        rows.append((stored, measured))
        stored += measured.accepted
        complete = complete and measured.complete
        print(f"\nclosed loop, {count} applications, {concurrency} in flight, by applications stored before it")
        print(format_growth(rows))
    return 0 if complete else 1
