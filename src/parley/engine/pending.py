"""Client tool calls waiting for the SDK's ``client_tool_result``."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class ToolOutcome:
    result: Any
    is_error: bool


class PendingToolCalls:
    """One future per outstanding call id; a result for an unknown id is reported, not raised."""

    def __init__(self) -> None:
        self._waiting: dict[str, asyncio.Future[ToolOutcome]] = {}

    def resolve(self, call_id: str, outcome: ToolOutcome) -> bool:
        """Deliver a result; False if no call with that id is waiting (late or unknown)."""
        future = self._waiting.get(call_id)
        if future is None or future.done():
            return False
        future.set_result(outcome)
        return True

    async def wait(self, call_id: str) -> ToolOutcome:
        """The result for ``call_id`` (the tool dispatcher bounds the wait)."""
        future: asyncio.Future[ToolOutcome] = asyncio.get_running_loop().create_future()
        self._waiting[call_id] = future
        try:
            return await future
        finally:
            future.cancel()
            del self._waiting[call_id]
