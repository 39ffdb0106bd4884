"""How soon a cancelled reply frees the embedded model while it still reads a long prompt.

A hang-up or a barge-in cancels the reply being generated; the next request (another call,
or the next turn) waits for the model until the cancelled one has really stopped. This loads
the embedded model (the default unless ``--model``), starts a reply to a ~1500-token prompt,
queues a short second request behind it, cancels the first after 0.3 s, and prints:

- **freed**: cancel → the cancelled stream has ended (the model's thread is free);
- **next first token**: cancel → the queued request's first token;
- **idle first token**: the same short request when nothing holds the model;
- **whole prompt**: how long reading the long prompt takes uncancelled, for scale.

Each run's long prompt starts differently, so nothing of it is in the KV cache yet.

Usage::

    .venv/bin/python -m benchmarks.llm_cancel [--model qwen2.5-coder-0.5b] [--runs 3]
        [--prompt-tokens 1500] [--cancel-after 0.3]
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import itertools
import shutil
import statistics
import subprocess
import time
from pathlib import Path

import parley
from parley.providers.llm.base import ChatMessage, LLMRequest, TextDelta
from parley.providers.llm.local import LocalLlamaLLM
from parley.providers.llm.local_models import ensure_gguf, resolve_model
from parley.settings import Settings
from tests.servers import MODEL_CACHE

COLORS = ["red", "green", "blue", "amber", "violet", "silver", "golden", "pale"]
ANIMALS = ["fox", "heron", "otter", "badger", "lynx", "sparrow", "salmon", "moth"]
CITIES = ["Lisbon", "Oslo", "Quito", "Hanoi", "Accra", "Perth", "Tartu", "Cusco"]
QUESTION = ChatMessage("user", "Which animal visited Oslo first? Answer in one sentence.")
SHORT = LLMRequest(
    messages=(ChatMessage("system", "Be brief."), ChatMessage("user", "Say hello.")),
    max_tokens=4,
)
OTHER = LLMRequest(
    messages=(ChatMessage("system", "Answer in French."), ChatMessage("user", "Say hello.")),
    max_tokens=4,
)


def cpu_model() -> str:
    """lscpu's "Model name" (what the figures depend on)."""
    lscpu = shutil.which("lscpu")
    if lscpu is None:
        return "unknown CPU (no lscpu)"
    lines = subprocess.run([lscpu], capture_output=True, text=True, check=True).stdout  # noqa: S603
    for line in lines.splitlines():
        if line.startswith("Model name:"):
            return line.split(":", 1)[1].strip()
    return "unknown CPU"


def notes(run: int, count: int) -> str:
    """Distinct sentences; ``run`` comes first so two runs share no cached prefix."""
    facts = itertools.product(COLORS, ANIMALS, CITIES)
    lines = [
        f"Note {n} of log {run}: a {color} {animal} visited {city} on day {n}."
        for n, (color, animal, city) in zip(range(count), facts, strict=False)
    ]
    return f"Log {run}. " + " ".join(lines)


def long_request(run: int, target_tokens: int, count_tokens: TokenCounter) -> LLMRequest:
    sentences = 1
    while count_tokens(notes(run, sentences)) < target_tokens:
        sentences += 1
    system = "You keep a travel log and answer questions about it.\n" + notes(run, sentences)
    return LLMRequest(messages=(ChatMessage("system", system), QUESTION), max_tokens=32)


class TokenCounter:
    """Counts tokens with the model's own vocabulary (a vocab-only load: no weights)."""

    def __init__(self, path: Path) -> None:
        llama_cpp = importlib.import_module("llama_cpp")
        self._vocab = llama_cpp.Llama(model_path=str(path), vocab_only=True, verbose=False)

    def __call__(self, text: str) -> int:
        return len(self._vocab.tokenize(text.encode(), add_bos=False))


async def first_token(llm: LocalLlamaLLM, request: LLMRequest) -> float:
    """Seconds until the first text piece; the reply is read to its end."""
    started = time.perf_counter()
    first: float | None = None
    async for chunk in llm.stream(request):
        if first is None and isinstance(chunk, TextDelta):
            first = time.perf_counter()
    return (first or time.perf_counter()) - started


async def cancel_once(
    llm: LocalLlamaLLM, long: LLMRequest, cancel_after: float
) -> tuple[float, float]:
    """(freed, next first token), both in seconds after the cancel."""

    async def read_all() -> None:
        async for _ in llm.stream(long):
            pass

    reply = asyncio.create_task(read_all())
    await asyncio.sleep(0.05)  # the long reply holds the model; the next one queues behind it
    queued_at = time.perf_counter()
    queued = asyncio.create_task(first_token(llm, SHORT))
    await asyncio.sleep(cancel_after - 0.05)
    cancelled_at = time.perf_counter()
    reply.cancel()
    await asyncio.gather(reply, return_exceptions=True)
    freed = time.perf_counter() - cancelled_at
    next_first = queued_at + await queued - cancelled_at
    return freed, next_first


async def main(model: str, runs: int, prompt_tokens: int, cancel_after: float) -> None:
    llm = await LocalLlamaLLM.from_model(model, MODEL_CACHE, temperature=0.0, progress=print)
    count_tokens = TokenCounter(ensure_gguf(resolve_model(model), MODEL_CACHE, print))
    try:
        await first_token(llm, OTHER)  # warm-up
        freed: list[float] = []
        next_first: list[float] = []
        idle: list[float] = []
        for run in range(runs):
            await first_token(llm, OTHER)  # SHORT is not cached: as after the cancel
            idle.append(await first_token(llm, SHORT))
            long = long_request(run, prompt_tokens, count_tokens)
            free, first = await cancel_once(llm, long, cancel_after)
            freed.append(free)
            next_first.append(first)
            print(f"run {run + 1}: freed {free:.3f} s, next first token {first:.3f} s")
        whole = await first_token(llm, long_request(runs, prompt_tokens, count_tokens))
    finally:
        await llm.aclose()
    system = long_request(0, prompt_tokens, count_tokens).messages[0].content
    print(f"CPU: {cpu_model()}; parley from {Path(parley.__file__).parent}")
    print(
        f"model {llm.name}, system prompt {count_tokens(system)} tokens, "
        f"cancelled after {cancel_after} s, {runs} runs (median):"
    )
    print(f"  freed:            {statistics.median(freed):.3f} s after the cancel")
    print(f"  next first token: {statistics.median(next_first):.3f} s after the cancel")
    print(f"  idle first token: {statistics.median(idle):.3f} s (the same request, model idle)")
    print(f"  whole prompt:     {whole:.3f} s to the first token, uncancelled")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--model", default=Settings.model_fields["local_llm"].default)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--prompt-tokens", type=int, default=1500)
    parser.add_argument("--cancel-after", type=float, default=0.3)
    options = parser.parse_args()
    asyncio.run(main(options.model, options.runs, options.prompt_tokens, options.cancel_after))
