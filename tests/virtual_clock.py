"""The tests' clock: the event loop's own time, fast-forwarded by looptime.

Every async test that uses it runs its event loop under ``pytest.mark.virtual_time`` (set by
tests/conftest.py for the engine's tests and for each module that imports this clock): the
loop's time jumps ahead whenever nothing is ready to run, so
the engine's sleeps, asyncio's timeouts and ``call_later`` all run on one virtual time and
nothing really sleeps. Outside a running loop (synchronous tests) time stands still unless
:meth:`VirtualClock.jump` moves it.
"""

from __future__ import annotations

import asyncio
import contextlib


async def settle() -> None:
    """Let every task that can run now run, until the loop is idle (time does not move:
    looptime moves it only when nothing is ready)."""
    loop = asyncio.get_running_loop()
    await asyncio.sleep(0)
    # asyncio's queue of ready callbacks: empty means idle (no Event can tell that)
    while loop._ready:  # type: ignore[attr-defined]  # noqa: ASYNC110
        await asyncio.sleep(0)


class VirtualClock:
    def __init__(self, start: float = 1_700_000_000.0) -> None:
        self._epoch = start
        self._jumped = 0.0
        self._origin: float | None = None  # the loop's time when this clock started
        with contextlib.suppress(RuntimeError):  # made outside a loop: starts when first read
            self._origin = asyncio.get_running_loop().time()

    def now(self) -> float:
        return self._epoch + self.monotonic()

    def monotonic(self) -> float:
        try:
            loop_time = asyncio.get_running_loop().time()
        except RuntimeError:  # a synchronous test
            return self._jumped
        if self._origin is None:
            self._origin = loop_time
        return self._jumped + loop_time - self._origin

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(max(0.0, seconds))

    def jump(self, seconds: float) -> None:
        """Move time forward at once (for code that runs outside an event loop)."""
        self._jumped += seconds

    async def advance(self, seconds: float) -> None:
        """Let ``seconds`` pass on the loop's virtual time, then let what they woke finish."""
        if not getattr(asyncio.get_running_loop(), "looptime_on", False):
            raise RuntimeError("VirtualClock.advance needs the test marked virtual_time")
        await asyncio.sleep(seconds)
        await settle()
