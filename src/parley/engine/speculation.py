"""Speculative replies: the LLM starts answering while the user may still go on.

When the user pauses, hearing transcribes the pause at once; the conversation then asks
:class:`SpeculativeLLM` to :meth:`~SpeculativeLLM.start` the reply that this transcript would
get, while the turn detector still waits to be sure the turn has ended. If it has, the turn's
own request is the same, and :meth:`~SpeculativeLLM.stream` hands it the reply already under
way (buffered chunks first); if the user goes on, the speculative reply is discarded. Nothing
of a speculative reply is said before the turn really ends, and tools only run once it does:
only the model's work is done early.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator

from parley.providers.llm.base import LLM, LLMChunk, LLMRequest

log = logging.getLogger(__name__)


class _Prefetch:
    """One reply generated into a buffer, ready to be streamed by whoever claims it."""

    def __init__(self, llm: LLM, request: LLMRequest) -> None:
        self.request = request
        self._chunks: asyncio.Queue[LLMChunk | BaseException | None] = asyncio.Queue()
        self._task = asyncio.create_task(self._generate(llm))

    async def _generate(self, llm: LLM) -> None:
        try:
            async for chunk in llm.stream(self.request):
                self._chunks.put_nowait(chunk)
        except Exception as error:  # handed to the consumer, who raises it as its own
            self._chunks.put_nowait(error)
            return
        self._chunks.put_nowait(None)

    async def chunks(self) -> AsyncIterator[LLMChunk]:
        try:
            while (chunk := await self._chunks.get()) is not None:
                if isinstance(chunk, BaseException):
                    raise chunk
                yield chunk
        finally:
            await self.cancel()  # the consumer stopped early (an interruption): stop the model

    async def cancel(self) -> None:
        self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._task


class SpeculativeLLM:
    """An :class:`~parley.providers.llm.base.LLM` that can start one reply ahead of time."""

    def __init__(self, llm: LLM) -> None:
        self._llm = llm
        self._prefetch: _Prefetch | None = None
        self.hits = 0  # replies that were already under way when the turn asked for them

    @property
    def name(self) -> str:
        return self._llm.name

    async def start(self, request: LLMRequest) -> None:
        """Begin generating the reply to ``request`` (replacing any earlier speculation)."""
        await self.discard()
        log.debug("speculative reply started (%d messages)", len(request.messages))
        self._prefetch = _Prefetch(self._llm, request)

    async def prefill(self, request: LLMRequest) -> None:
        """Warm the model for ``request``, unless a speculative reply is using it."""
        if self._prefetch is None:
            await self._llm.prefill(request)

    async def discard(self) -> None:
        """The user went on: stop the speculative reply, so the model is free again."""
        prefetch, self._prefetch = self._prefetch, None
        if prefetch is not None:
            await prefetch.cancel()

    async def stream(self, request: LLMRequest) -> AsyncIterator[LLMChunk]:
        prefetch, self._prefetch = self._prefetch, None
        if prefetch is not None and prefetch.request == request:
            self.hits += 1
            log.debug("the turn takes the speculative reply")
            async for chunk in prefetch.chunks():
                yield chunk
            return
        if prefetch is not None:
            log.debug("speculative reply discarded: the turn asked for something else")
            await prefetch.cancel()
        async for chunk in self._llm.stream(request):
            yield chunk
