"""Fall back from one LLM to the next on error, timeout or an empty reply."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Sequence

from parley.clock import Clock, SystemClock
from parley.providers.llm.base import (
    LLM,
    LLMChunk,
    LLMEmptyReplyError,
    LLMError,
    LLMRequest,
    LLMTimeoutError,
)
from parley.providers.timeouts import clock_timeout

log = logging.getLogger(__name__)


class CascadeLLM:
    """Tries each model in order until one starts answering.

    Once a model has produced output, its errors are final: a reply cannot switch models
    half-way without the user hearing two different answers.
    """

    def __init__(
        self,
        candidates: Sequence[LLM],
        first_chunk_timeout: float = 20.0,
        clock: Clock | None = None,
    ) -> None:
        if not candidates:
            raise ValueError("a cascade needs at least one LLM")
        self._candidates = tuple(candidates)
        self._timeout = first_chunk_timeout
        self._clock = clock or SystemClock()

    @property
    def name(self) -> str:
        return " > ".join(llm.name for llm in self._candidates)

    async def prefill(self, request: LLMRequest) -> None:
        """Warm the model that will be asked first."""
        await self._candidates[0].prefill(request)

    async def stream(self, request: LLMRequest) -> AsyncIterator[LLMChunk]:
        failures: list[str] = []
        timed_out = False
        for llm in self._candidates:
            produced = False
            stream = aiter(llm.stream(request))
            try:
                async with clock_timeout(self._clock, self._timeout):
                    first = await anext(stream, None)
                if first is not None:
                    produced = True
                    yield first
                    async for chunk in stream:
                        yield chunk
                    return
                failures.append(f"{llm.name}: empty reply")
            except TimeoutError:
                timed_out = True
                failures.append(f"{llm.name}: no answer within {self._timeout:g} s")
            except LLMError as error:
                if produced:
                    raise
                failures.append(f"{llm.name}: {error}")
            finally:
                await close_stream(stream)
            log.warning("LLM fallback: %s", failures[-1])
        if all(failure.endswith(": empty reply") for failure in failures):
            raise LLMEmptyReplyError("; ".join(failures))
        error_type = LLMTimeoutError if timed_out and len(failures) == 1 else LLMError
        raise error_type("; ".join(failures))


async def close_stream(stream: AsyncIterator[LLMChunk]) -> None:
    """Close a reply stream now (which drops its connection), not when it is collected."""
    close = getattr(stream, "aclose", None)
    if close is not None:
        await close()
