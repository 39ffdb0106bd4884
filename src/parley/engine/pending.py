"""Client tool calls waiting for the SDK's ``client_tool_result``."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

from parley.clock import Clock


@dataclass(frozen=True)
class ToolOutcome:
    result: Any
    is_error: bool


class PendingToolCalls:
    """One future per outstanding call id; a result for an unknown id is reported, not raised."""

    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self._waiting: dict[str, asyncio.Future[ToolOutcome]] = {}

    def resolve(self, call_id: str, outcome: ToolOutcome) -> bool:
        """Deliver a result; False if no call with that id is waiting (late or unknown)."""
        future = self._waiting.get(call_id)
        if future is None or future.done():
            return False
        future.set_result(outcome)
        return True

    async def wait(self, call_id: str, seconds: float) -> ToolOutcome | None:
        """The result for ``call_id``, or None after ``seconds`` on the conversation's clock."""
        future: asyncio.Future[ToolOutcome] = asyncio.get_running_loop().create_future()
        self._waiting[call_id] = future
        timer = asyncio.ensure_future(self._clock.sleep(seconds))
        try:
            waiters: list[asyncio.Future[Any]] = [future, timer]
            await asyncio.wait(waiters, return_when=asyncio.FIRST_COMPLETED)
            return future.result() if future.done() else None
        finally:
            timer.cancel()
            future.cancel()
            del self._waiting[call_id]
