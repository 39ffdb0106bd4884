"""The conversations' write queue: one write at a time, only the newest snapshot waits."""

from __future__ import annotations

import asyncio

import pytest

from parley.storage.write_queue import WriteQueue


class Database:
    """Records each write and how many ran at once; a write takes a few loop turns."""

    def __init__(self) -> None:
        self.written: list[str] = []
        self.running = 0
        self.most_at_once = 0
        self.fail_next = False

    async def write(self, item: str) -> None:
        self.running += 1
        self.most_at_once = max(self.most_at_once, self.running)
        try:
            for _ in range(3):
                await asyncio.sleep(0)
            if self.fail_next:
                self.fail_next = False
                raise ConnectionError("database is locked")
            self.written.append(item)
        finally:
            self.running -= 1


async def test_writes_go_one_at_a_time_in_the_order_submitted() -> None:
    database = Database()
    queue = WriteQueue(database.write)
    await asyncio.gather(*(queue.submit(f"conv_{n}", str(n)) for n in range(5)))
    assert database.written == ["0", "1", "2", "3", "4"]
    assert database.most_at_once == 1, "an admission waits behind at most one write"


async def test_a_newer_item_of_the_same_key_replaces_the_waiting_one() -> None:
    database = Database()
    queue = WriteQueue(database.write)
    first = asyncio.create_task(queue.submit("conv_a", "a1"))
    await asyncio.sleep(0)  # a1 is being written
    waiting = asyncio.create_task(queue.submit("conv_b", "b1"))
    newer = asyncio.create_task(queue.submit("conv_b", "b2"))
    await asyncio.gather(first, waiting, newer)  # both return: b2 holds everything b1 did
    assert database.written == ["a1", "b2"]


async def test_a_failed_write_raises_in_its_submitters_and_the_next_goes_on() -> None:
    database = Database()
    queue = WriteQueue(database.write)
    database.fail_next = True
    results = await asyncio.gather(
        queue.submit("conv_a", "a"), queue.submit("conv_b", "b"), return_exceptions=True
    )
    assert [type(result) for result in results] == [ConnectionError, type(None)]
    await queue.submit("conv_a", "a2")  # a retry, as the snapshot writer does
    assert database.written == ["b", "a2"]


async def test_a_cancelled_submitter_leaves_the_others_alone() -> None:
    database = Database()
    queue = WriteQueue(database.write)
    gone = asyncio.create_task(queue.submit("conv_a", "a"))
    stays = asyncio.create_task(queue.submit("conv_b", "b"))
    await asyncio.sleep(0)
    gone.cancel()
    await stays
    with pytest.raises(asyncio.CancelledError):
        await gone
    assert database.written == ["a", "b"], "what was submitted is still stored"
