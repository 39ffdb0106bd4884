"""Where the engine's server events go: numbered, filtered by the agent's ``client_events``."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from parley.schemas.events import ALWAYS_SENT, ServerEvent

Emit = Callable[[ServerEvent], Awaitable[None]]


class Outbox:
    """Hands server events to the edge; events the client did not ask for are dropped here."""

    def __init__(self, emit: Emit, client_events: frozenset[str]) -> None:
        self._emit = emit
        self._wanted = client_events | ALWAYS_SENT
        self._last_event_id = 0

    def next_event_id(self) -> int:
        """Event ids grow through the conversation (the SDKs drop audio at or below an
        interruption's id, so a new turn must always get a larger one)."""
        self._last_event_id += 1
        return self._last_event_id

    def wants(self, event_type: str) -> bool:
        return event_type in self._wanted

    async def send(self, event: ServerEvent) -> None:
        if event.type in self._wanted:
            await self._emit(event)
