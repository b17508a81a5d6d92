"""One write at a time per document: writers of one key take turns, of different keys do not wait, and no lock
outlives its writers."""

import asyncio

from civicflow.insights.adapters.one_writer import OneWriter


async def test_writers_of_one_key_take_turns_and_leave_no_lock_behind() -> None:
    writing, inside, most = OneWriter(), {"a": 0, "b": 0}, {"a": 0, "b": 0}

    async def write(key: str) -> None:
        async with writing.of(key):
            inside[key] += 1
            most[key] = max(most[key], sum(inside.values()) if key == "b" else inside[key])
            await asyncio.sleep(0)
            inside[key] -= 1

    await asyncio.gather(*(write(key) for key in "ab" * 10))
    assert most["a"] == 1  # never two writers of "a" at once
    assert most["b"] == 2  # a writer of "b" wrote while one of "a" did
    assert len(writing) == 0
