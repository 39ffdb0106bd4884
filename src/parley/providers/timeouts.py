"""Timeouts kept by an injected :class:`~parley.clock.Clock`, so a virtual clock drives them."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from parley.clock import Clock


@asynccontextmanager
async def clock_timeout(clock: Clock, seconds: float | None) -> AsyncIterator[None]:
    """Like :func:`asyncio.timeout`, but the deadline passes when ``clock.sleep`` says so.

    The body is cancelled and :class:`TimeoutError` raised, with asyncio's own bookkeeping
    (a deadline of "now" is set on an ``asyncio.timeout``), so a cancellation from outside
    still propagates as one. ``None`` waits forever.
    """
    async with asyncio.timeout(None) as deadline:
        if seconds is None:
            yield
            return

        async def expire() -> None:
            await clock.sleep(seconds)
            deadline.reschedule(asyncio.get_running_loop().time())

        watchdog = asyncio.create_task(expire(), name="clock-timeout")
        try:
            yield
        finally:
            watchdog.cancel()
