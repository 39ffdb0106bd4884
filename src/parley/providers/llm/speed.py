"""How fast a model answers on this machine: one short, timed generation.

The embedded model is measured once after it loads, so the console's settings page can say
what a reply costs here (tokens per second, time to the first token) before the first call.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

from parley.providers.llm.base import LLM, ChatMessage, LLMRequest, TextDelta

log = logging.getLogger(__name__)

# A reply that runs to max_tokens without a tool call or an early stop, so the count is stable.
SPEED_REQUEST = LLMRequest(
    messages=(
        ChatMessage("user", "Count from one to forty in words, separated by commas. No intro."),
    ),
    temperature=0.0,
    max_tokens=24,
)


@dataclass(frozen=True)
class ModelSpeed:
    """One measurement: ``tokens`` counts streamed text pieces (one per token for llama.cpp)."""

    tokens_per_second: float
    first_token_seconds: float
    tokens: int


async def measure_speed(
    llm: LLM, clock: Callable[[], float] = time.perf_counter
) -> ModelSpeed | None:
    """Time ``SPEED_REQUEST`` on ``llm``; None (and a log line) when it cannot be measured."""
    started = clock()
    first: float | None = None
    tokens = 0
    try:
        async for chunk in llm.stream(SPEED_REQUEST):
            if isinstance(chunk, TextDelta) and chunk.text:
                tokens += 1
                first = first if first is not None else clock()
    except Exception as error:  # a measurement must never break serving
        log.warning("could not measure the speed of %s: %s", llm.name, error)
        return None
    ended = clock()
    if first is None or tokens < 2 or ended <= first:
        log.warning("could not measure the speed of %s: it wrote %d tokens", llm.name, tokens)
        return None
    speed = ModelSpeed(
        tokens_per_second=(tokens - 1) / (ended - first),
        first_token_seconds=first - started,
        tokens=tokens,
    )
    log.info(
        "%s on this machine: %.1f tokens/s, first token after %.2f s",
        llm.name,
        speed.tokens_per_second,
        speed.first_token_seconds,
    )
    return speed
