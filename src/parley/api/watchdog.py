"""Time limits on a socket's reads and writes without a timer per message.

``asyncio.timeout`` around every receive and every send schedules and cancels a timer per
message: at 300 real-time calls that is ~19,000 timer operations a second and ~5 % of the
event loop (benchmarks/load.py, py-spy). A :class:`Watchdog` instead stores the time when an
operation starts, and its one timer, when it fires, looks whether the operation has really
run over; if not, it is set again for the true deadline. So a busy socket costs one timer
per limit period, not one per message.
"""

from __future__ import annotations

import asyncio
from typing import Any


class Watchdog:
    """Cancels ``task`` once an operation started with :meth:`start` has been running
    (without :meth:`stop`) for ``seconds``; then :attr:`expired` is True."""

    def __init__(self, seconds: float, task: asyncio.Task[Any]) -> None:
        self._seconds = seconds
        self._task = task
        self._loop = asyncio.get_running_loop()
        self._since = 0.0
        self._running = False
        self._timer: asyncio.TimerHandle | None = None
        self.expired = False

    def start(self) -> None:
        """An operation starts now (or, for an idle limit, the quiet time starts again)."""
        self._since = self._loop.time()
        self._running = True
        if self._timer is None:
            self._timer = self._loop.call_at(self._since + self._seconds, self._check)

    def stop(self) -> None:
        self._running = False

    def close(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    def _check(self) -> None:
        self._timer = None
        if not self._running:
            return
        deadline = self._since + self._seconds
        if self._loop.time() < deadline:
            self._timer = self._loop.call_at(deadline, self._check)
            return
        self.expired = True
        self._task.cancel()

    def caused_cancellation(self) -> bool:
        """Called in the watched task as it catches a cancellation: whether this watchdog
        cancelled it. If so the cancellation is taken back, so that the task can go on to
        report the time-out instead."""
        if not self.expired:
            return False
        self._task.uncancel()
        return True
