"""Group commit of conversation snapshots: what waits at the same moment is written together."""

from __future__ import annotations

import asyncio

import pytest

from parley.storage.batching import WriteBatcher


class Database:
    """Records each batch; a write takes one loop turn per ``turns``, or fails when told to."""

    def __init__(self, turns: int = 3) -> None:
        self.batches: list[list[str]] = []
        self.stored: list[str] = []
        self.turns = turns
        self.fail_next = False
        self.down = False
        self.refused: set[str] = set()  # items that fail any write they are in

    async def write(self, items: list[str]) -> None:
        self.batches.append(items)
        for _ in range(self.turns):
            await asyncio.sleep(0)
        if self.fail_next or self.down:
            self.fail_next = False
            raise ConnectionError("database is locked")
        if self.refused & set(items):
            raise ValueError("a value the database cannot store")
        self.stored += items


async def test_what_is_submitted_during_a_write_goes_in_the_next_one_together() -> None:
    database = Database()
    batcher = WriteBatcher(database.write)
    first = asyncio.create_task(batcher.submit("conv_a", "a1"))
    await asyncio.sleep(0)  # the first write starts alone
    others = [asyncio.create_task(batcher.submit(f"conv_{n}", f"{n}1")) for n in "bcd"]
    await asyncio.gather(first, *others)
    assert database.batches == [["a1"], ["b1", "c1", "d1"]]


async def test_a_newer_item_of_the_same_key_replaces_the_waiting_one() -> None:
    database = Database()
    batcher = WriteBatcher(database.write)
    first = asyncio.create_task(batcher.submit("conv_a", "a1"))
    await asyncio.sleep(0)
    waiting = asyncio.create_task(batcher.submit("conv_b", "b1"))
    newer = asyncio.create_task(batcher.submit("conv_b", "b2"))
    await asyncio.gather(first, waiting, newer)  # both return: b2 holds everything b1 did
    assert database.batches == [["a1"], ["b2"]]


async def test_a_failed_batch_is_written_again_item_by_item_at_once() -> None:
    database = Database()
    batcher = WriteBatcher(database.write)
    database.fail_next = True  # a moment's failure: "database is locked"
    await asyncio.gather(*(batcher.submit(f"conv_{n}", n) for n in "ab"))
    assert database.batches == [["a", "b"], ["a"], ["b"]]


async def test_an_item_the_database_refuses_fails_only_its_own_submitter() -> None:
    database = Database()
    database.refused = {"bad"}
    batcher = WriteBatcher(database.write)
    results = await asyncio.gather(
        *(batcher.submit(f"conv_{n}", n) for n in ("a", "bad", "c")), return_exceptions=True
    )
    assert [type(result) for result in results] == [type(None), ValueError, type(None)]
    assert database.stored == ["a", "c"]


async def test_while_the_database_is_down_each_submitter_raises_and_later_writes_go_on() -> None:
    database = Database()
    database.down = True
    batcher = WriteBatcher(database.write)
    failed = [asyncio.create_task(batcher.submit(f"conv_{n}", n)) for n in "ab"]
    results = await asyncio.gather(*failed, return_exceptions=True)
    assert [type(result) for result in results] == [ConnectionError, ConnectionError]
    database.down = False
    await batcher.submit("conv_a", "a2")  # a retry, as the snapshot writer does
    assert database.stored == ["a2"]


async def test_a_cancelled_submitter_leaves_the_others_alone() -> None:
    database = Database()
    batcher = WriteBatcher(database.write)
    gone = asyncio.create_task(batcher.submit("conv_a", "a"))
    stays = asyncio.create_task(batcher.submit("conv_b", "b"))
    await asyncio.sleep(0)
    gone.cancel()
    await stays
    with pytest.raises(asyncio.CancelledError):
        await gone
    assert database.batches == [["a", "b"]]


async def test_batches_are_bounded() -> None:
    database = Database(turns=0)
    batcher = WriteBatcher(database.write, max_batch=2)
    await asyncio.gather(*(batcher.submit(f"conv_{n}", str(n)) for n in range(5)))
    assert [len(batch) for batch in database.batches] == [2, 2, 1]
