"""A scripted LLM for engine tests and benchmarks: it answers from a list, instantly or slowly."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

from parley.clock import Clock
from parley.providers.llm.base import LLMChunk, LLMError, LLMRequest, TextDelta, ToolCall


@dataclass
class Reply:
    """One scripted answer: text pieces and/or tool calls, optionally after a delay."""

    text: list[str] = field(default_factory=list)
    tool_calls: list[ToolCall] = field(default_factory=list)
    delay: float = 0.0
    error: LLMError | None = None


def say(*pieces: str, delay: float = 0.0) -> Reply:
    return Reply(text=list(pieces), delay=delay)


def call(name: str, call_id: str = "call_1", **arguments: Any) -> Reply:
    return Reply(tool_calls=[ToolCall(call_id, name, arguments)])


class FakeLLM:
    """Answers each request with the next scripted reply and records the requests."""

    def __init__(
        self,
        replies: list[Reply] | Callable[[LLMRequest], Reply],
        clock: Clock | None = None,
        *,
        record: bool = True,
    ) -> None:
        """``record=False`` keeps no list of requests (for long benchmarks)."""
        self._replies = replies
        self._clock = clock
        self._record = record
        self.requests: list[LLMRequest] = []
        self.prefills: list[LLMRequest] = []
        self.open_streams = 0  # replies being generated now (a cancelled one closes at once)

    @property
    def name(self) -> str:
        return "fake"

    def script(self, replies: list[Reply]) -> None:
        """Answer the next requests with ``replies`` (a test's own script for this server)."""
        self._replies = replies

    def _next(self, request: LLMRequest) -> Reply:
        if callable(self._replies):
            return self._replies(request)
        if not self._replies:
            return say("(no more scripted replies)")
        return self._replies.pop(0)

    async def prefill(self, request: LLMRequest) -> None:
        if self._record:
            self.prefills.append(request)

    async def stream(self, request: LLMRequest) -> AsyncIterator[LLMChunk]:
        if self._record:
            self.requests.append(request)
        reply = self._next(request)
        self.open_streams += 1
        try:
            if reply.delay and self._clock is not None:
                await self._clock.sleep(reply.delay)
            if reply.error is not None:
                raise reply.error
            for piece in reply.text:
                yield TextDelta(piece)
            for tool_call in reply.tool_calls:
                yield tool_call
        finally:
            self.open_streams -= 1
