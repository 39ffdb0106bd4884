"""Group commit: writes that wait at the same moment go to the database together."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Generic, TypeVar

Item = TypeVar("Item")


@dataclass
class _Pending(Generic[Item]):
    item: Item
    waiters: list[asyncio.Future[None]] = field(default_factory=list)


class WriteBatcher(Generic[Item]):
    """Writes items in batches: whatever is submitted while a batch is being written goes in
    the next one, in one call of ``write`` (one transaction).

    A database connection is held for a whole transaction, including the trips back to the
    event loop between its statements (five for one UPDATE through aiosqlite), and a busy
    loop makes each trip slow: written one by one, 300 calls' transcripts kept SQLite's
    single connection busy, and new calls waited seconds for it. Batched, a busy server
    writes a few transactions a second instead. An item submitted again under the same key
    before it was written replaces the older one. Each ``submit`` returns once its item is
    stored, or raises what the write raised.
    """

    def __init__(self, write: Callable[[list[Item]], Awaitable[None]], max_batch: int = 100):
        self._write = write
        self._max_batch = max_batch
        self._pending: dict[str, _Pending[Item]] = {}
        self._task: asyncio.Task[None] | None = None

    async def submit(self, key: str, item: Item) -> None:
        waiter = asyncio.get_running_loop().create_future()
        pending = self._pending.get(key)
        if pending is None:
            pending = self._pending[key] = _Pending(item)
        pending.item = item
        pending.waiters.append(waiter)
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._drain())
        await waiter

    async def _drain(self) -> None:
        while self._pending:
            keys = list(self._pending)[: self._max_batch]
            batch = [self._pending.pop(key) for key in keys]
            try:
                error = await self._try_write(batch)
                if error is None or len(batch) == 1:
                    _settle(batch, error)
                    continue
                # One item the database refuses must not fail the others with it at every
                # retry: after a failed batch, each item is written on its own.
                for pending in batch:
                    _settle([pending], await self._try_write([pending]))
            except asyncio.CancelledError:  # the server is stopping: no submitter hangs
                _settle(batch, ConnectionError("the write was cancelled"))
                raise

    async def _try_write(self, batch: list[_Pending[Item]]) -> Exception | None:
        """Write ``batch``; returns the error instead of raising it."""
        try:
            await self._write([pending.item for pending in batch])
        except Exception as error:
            return error
        return None


def _settle(batch: list[_Pending[Item]], error: Exception | None) -> None:
    for pending in batch:
        for waiter in pending.waiters:
            if waiter.done():  # its submitter was cancelled
                continue
            if error is None:
                waiter.set_result(None)
            else:
                waiter.set_exception(error)
