"""The clocks around turns: re-engaging a silent user, the silence limit, pings and the
maximum duration. Each runs as one of the call's tasks (:class:`CallTasks`), on the
injected clock, and reports back through a callback; none of them acts once the call is
closed, since the task owner starts nothing then."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from parley.clock import Clock
from parley.engine.outbox import Outbox
from parley.engine.tasks import CallTasks
from parley.schemas import events as ev

# What the agent is asked to say when the user stays silent (not remembered in the history).
REENGAGE = (
    "The user has been silent for a while. Say one short sentence to them that checks "
    "whether they are still there, such as: Are you still there?"
)
OPEN = "The user has not said anything yet. Greet them briefly and start the conversation."
MAX_UNANSWERED_PINGS = 10  # a client that never answers must not grow the table


class SilenceTimer:
    """Waits for the user: after ``turn_timeout`` the agent re-engages; after
    ``silence_end_call_timeout`` of no user activity at all, the call ends."""

    def __init__(
        self,
        clock: Clock,
        tasks: CallTasks,
        reengage: Callable[[], None],
        give_up: Callable[[], Awaitable[None]],
    ) -> None:
        self._clock = clock
        self._tasks = tasks
        self._reengage = reengage
        self._give_up = give_up
        self._task: asyncio.Task[None] | None = None
        self.last_activity = clock.monotonic()

    def user_active(self) -> None:
        self.last_activity = self._clock.monotonic()

    def restart(self, turn_wait: float, silence_limit: float, reengage: bool = True) -> None:
        """Wait ``turn_wait`` before re-engaging (0 or ``reengage=False``: never), and end
        the call ``silence_limit`` after the user's last activity (<= 0: never)."""
        self.cancel()
        self._task = self._tasks.start(self._watch(turn_wait, silence_limit, reengage))

    def cancel(self) -> None:
        if self._task is not None and self._task is not asyncio.current_task():
            self._task.cancel()
        self._task = None

    async def _watch(self, turn_wait: float, limit: float, reengage: bool) -> None:
        now = self._clock.monotonic()
        end_in = self.last_activity + limit - now if limit > 0 else None
        reengage = reengage and turn_wait > 0
        waits = [w for w in (turn_wait if reengage else None, end_in) if w is not None]
        if not waits:
            return
        await self._clock.sleep(max(0.0, min(waits)))
        if end_in is not None and self._clock.monotonic() - self.last_activity >= limit:
            await self._give_up()
            return
        self._task = None
        self._reengage()


class Pinger:
    """Sends ``ping`` every ``interval`` and measures the round trip from the ``pong``."""

    def __init__(self, clock: Clock, outbox: Outbox, interval: float) -> None:
        self._clock = clock
        self._outbox = outbox
        self._interval = interval
        self._sent: dict[int, float] = {}
        self.ping_ms: int | None = None

    async def run(self) -> None:
        while True:
            await self._clock.sleep(self._interval)
            event_id = self._outbox.next_event_id()
            self._sent[event_id] = self._clock.monotonic()
            await self._outbox.send(
                ev.Ping(ping_event=ev.PingBody(event_id=event_id, ping_ms=self.ping_ms))
            )
            if len(self._sent) > MAX_UNANSWERED_PINGS:
                self._sent.pop(next(iter(self._sent)))

    def pong(self, event_id: int) -> None:
        sent = self._sent.pop(event_id, None)
        if sent is not None:
            self.ping_ms = max(0, round((self._clock.monotonic() - sent) * 1000))


async def deadline(clock: Clock, seconds: float, expired: Callable[[], Awaitable[None]]) -> None:
    """Call ``expired`` after ``seconds`` (the maximum duration of the call)."""
    await clock.sleep(seconds)
    await expired()
