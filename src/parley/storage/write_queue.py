"""One writer for the conversations' snapshots: the newest state of each, one at a time."""

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


class WriteQueue(Generic[Item]):
    """Writes submitted items one at a time, in order; an item submitted again under the same
    key before it was written replaces the older one (both submitters return once it is).

    Each call's transcript is saved 3-4 times a turn. When every call opened its own
    transaction, up to one per call waited for SQLite's single connection, and a new call's
    admission queued behind all of them (benchmarks/load.py with 300 calls redialling every
    20 s: call set-up p50 1.2 s without recordings, 5.8 s with them). Behind this queue an
    admission waits for at most one snapshot write (0.2 s and 0.6 s). Writing what waits as one
    multi-row upsert was measured too and was worse (batches of 8: set-up p50 2.6 s, and more
    CPU per write). ``submit`` returns once its item is stored, or raises what the write raised.
    """

    def __init__(self, write: Callable[[Item], Awaitable[None]]) -> None:
        self._write = write
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
            key = next(iter(self._pending))
            pending = self._pending.pop(key)
            try:
                await self._write(pending.item)
            except asyncio.CancelledError:  # the server is stopping: no submitter hangs
                _settle(pending, ConnectionError("the write was cancelled"))
                raise
            except Exception as error:
                _settle(pending, error)
            else:
                _settle(pending, None)


def _settle(pending: _Pending[Item], error: Exception | None) -> None:
    for waiter in pending.waiters:
        if waiter.done():  # its submitter was cancelled
            continue
        if error is None:
            waiter.set_result(None)
        else:
            waiter.set_exception(error)
