"""Text-turn latency: how fast Parley answers a ``user_message``.

Two measurements, printed as p50/p95/p99:

1. **Embedded LLM, end to end.** A real ``parley serve`` (default local model) on 127.0.0.1;
   a WebSocket client sends ``user_message``s and times the first
   ``internal_tentative_agent_response`` (first text token) and the final ``agent_response``.
2. **Engine overhead.** The conversation engine alone with an instant scripted LLM, timing
   ``handle(user_message)`` → ``agent_response`` emitted, with the transcript stored in SQLite
   as in production. The target is p99 ≤ 5 ms.

Usage::

    .venv/bin/python -m benchmarks.conversation_latency [--turns 20] [--model qwen2.5-coder-0.5b]
    .venv/bin/python -m benchmarks.conversation_latency --engine-only
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
import websockets

from parley.agents.view import resolve_agent
from parley.clock import SystemClock
from parley.engine.conversation import Conversation, EngineOptions
from parley.engine.transcript import ConversationRecorder
from parley.schemas.events import ServerEvent, UserMessage
from parley.storage.conversations import ConversationStore
from parley.storage.db import create_engine, migrate, session_factory
from tests.engine.harness import stored_agent
from tests.fakes.llm import FakeLLM, say
from tests.fakes.recorder import MemoryRecorder
from tests.servers import ServerProcess

QUESTIONS = [
    "What are your opening hours?",
    "Can I book a table for two tonight?",
    "Do you have vegetarian options?",
    "How far are you from the station?",
    "Is there parking nearby?",
    "Can I bring my dog?",
    "What is your most popular dish?",
    "Do you take card payments?",
    "Is the terrace open in winter?",
    "Can you host a birthday party?",
]
KEY = "sk_benchmark_" + "0" * 32
EVENTS = ["agent_response", "internal_tentative_agent_response", "user_transcript"]


def percentiles(samples: list[float]) -> str:
    ms = sorted(s * 1000 for s in samples)
    q = statistics.quantiles(ms, n=100, method="inclusive")
    return f"p50 {q[49]:7.1f} ms   p95 {q[94]:7.1f} ms   p99 {q[98]:7.1f} ms   (n={len(ms)})"


async def embedded_llm(turns: int, model: str) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        data = Path(scratch)
        server = ServerProcess(
            data,
            f"sqlite+aiosqlite:///{data / 'parley.db'}",
            KEY,
            {"PARLEY_LOCAL_LLM": model, "PARLEY_PRELOAD_MODELS": "true"},
        )
        print(f"starting parley serve with {model} (first run assembles the model) ...")
        server.start(timeout=300)
        try:
            await _drive(server, turns)
        finally:
            server.stop()


async def _drive(server: ServerProcess, turns: int) -> None:
    body = {
        "name": "benchmark",
        "conversation_config": {
            "agent": {
                "first_message": "Hello! How can I help?",
                "prompt": {"prompt": "You are a restaurant assistant. Answer in one sentence."},
            },
            "conversation": {"client_events": EVENTS},
            "turn": {"turn_timeout": 30},
        },
    }
    async with httpx.AsyncClient(base_url=server.base_url, headers={"xi-api-key": KEY}) as rest:
        agent_id = (await rest.post("/v1/convai/agents/create", json=body)).json()["agent_id"]
    url = server.base_url.replace("http", "ws") + f"/v1/convai/conversation?agent_id={agent_id}"
    first_token: list[float] = []
    full: list[float] = []
    async with websockets.connect(url) as socket:
        await socket.send(json.dumps({"type": "conversation_initiation_client_data"}))
        await _until(socket, "agent_response")
        await _ask(socket, "Hi!")  # warm-up: the system prompt enters the KV cache
        for turn in range(turns):
            started = time.perf_counter()
            first, done = await _ask(socket, QUESTIONS[turn % len(QUESTIONS)])
            first_token.append(first - started)
            full.append(done - started)
    print("embedded LLM, user_message → first agent text: " + percentiles(first_token))
    print("embedded LLM, user_message → agent_response:   " + percentiles(full))


async def _until(socket: Any, event_type: str) -> dict[str, Any]:
    while True:
        event: dict[str, Any] = json.loads(await socket.recv())
        if event["type"] == event_type:
            return event


async def _ask(socket: Any, text: str) -> tuple[float, float]:
    await socket.send(json.dumps({"type": "user_message", "text": text}))
    await _until(socket, "internal_tentative_agent_response")
    first = time.perf_counter()
    await _until(socket, "agent_response")
    return first, time.perf_counter()


async def engine_overhead(turns: int) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        engine = create_engine(f"sqlite+aiosqlite:///{scratch}/bench.db")
        await migrate(engine)
        store = ConversationStore(session_factory(engine), SystemClock())
        for label, recorder in (("in-memory records", None), ("SQLite records", store)):
            samples = await _engine_turns(turns, recorder)
            print(
                f"engine overhead ({label}), user_message → agent_response: " + percentiles(samples)
            )
        await engine.dispose()


async def _engine_turns(turns: int, recorder: ConversationRecorder | None) -> list[float]:
    """``turns`` timed turns, spread over conversations of 20 turns (a realistic length)."""
    samples: list[float] = []
    while len(samples) < turns:
        samples += await _one_conversation(20, recorder)
    return samples[:turns]


async def _one_conversation(turns: int, recorder: ConversationRecorder | None) -> list[float]:
    clock = SystemClock()
    view = resolve_agent(
        stored_agent({"agent": {"first_message": "Hi", "prompt": {"prompt": "P"}}}),
        None,
        f"conv_bench_{time.perf_counter_ns()}",
        clock.now(),
    ).view
    done = asyncio.Event()

    async def emit(event: ServerEvent) -> None:
        if event.type == "agent_response":
            done.set()

    llm = FakeLLM(lambda request: say("An ", "instant ", "answer."))
    conversation = Conversation(
        view,
        llm,
        clock,
        emit,
        recorder or MemoryRecorder(),
        EngineOptions(ping_interval_seconds=60),
    )
    await conversation.start()
    samples = []
    for turn in range(turns):
        done.clear()
        started = time.perf_counter()
        await conversation.handle(UserMessage(type="user_message", text=f"Question {turn}"))
        await done.wait()
        samples.append(time.perf_counter() - started)
        await asyncio.sleep(0.001)  # the user takes a breath; background writes catch up
    await conversation.shutdown()
    return samples


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--turns", type=int, default=20, help="timed turns for the embedded LLM")
    parser.add_argument("--engine-turns", type=int, default=2000)
    parser.add_argument("--model", default="qwen2.5-coder-1.5b", help="PARLEY_LOCAL_LLM value")
    parser.add_argument("--engine-only", action="store_true")
    args = parser.parse_args()
    asyncio.run(engine_overhead(args.engine_turns))
    if not args.engine_only:
        asyncio.run(embedded_llm(args.turns, args.model))


if __name__ == "__main__":
    main()
