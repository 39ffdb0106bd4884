"""The real server stopped mid-call: SIGTERM lets calls finish and stores them, SIGKILL loses
nothing that was stored, and a restart on the same data marks the call accordingly.

The agent's model is a fake OpenAI-compatible endpoint on 127.0.0.1 (``PARLEY_LLM_ENDPOINTS``),
so the server runs its production code paths without loading a model.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import signal
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from tests.conftest import TEST_KEY
from tests.fakes.openai_server import FakeEndpoint, serve_endpoint
from tests.servers import ServerProcess

HANG = "please think about it for a long time"


@pytest.fixture(scope="module")
def model() -> Iterator[FakeEndpoint]:
    """Answers "Answer N." to the N-th request, and never answers a user who says ``HANG``."""
    with serve_endpoint() as endpoint:

        async def reply(request: Request) -> Response:
            messages = endpoint.received[-1].body["messages"]
            text = f"Answer {len(endpoint.received)}."

            async def events() -> Any:
                if HANG in messages[-1]["content"]:
                    await request.receive()  # until the client goes away
                    return
                chunk = {"choices": [{"index": 0, "delta": {"content": text}}]}
                yield f"data: {json.dumps(chunk)}\n\ndata: [DONE]\n\n"

            return StreamingResponse(events(), media_type="text/event-stream")

        endpoint.reply = reply
        yield endpoint


@contextlib.contextmanager
def running(
    tmp_path: Path, database_url: str, model: FakeEndpoint, grace: float
) -> Iterator[tuple[ServerProcess, str]]:
    """A server whose agent answers through ``model``; yields it and the agent's id."""
    data = tmp_path / "server"
    data.mkdir(exist_ok=True)
    server = ServerProcess(
        data,
        database_url,
        TEST_KEY,
        {
            "PARLEY_VOICE": "false",
            "PARLEY_LLM_ENDPOINTS": json.dumps({"gpt-4o-mini": {"url": model.base_url}}),
            "PARLEY_SHUTDOWN_GRACE_SECONDS": str(grace),
        },
    )
    server.start()
    try:
        yield server, create_agent(server)
    finally:
        server.stop()


def api(server: ServerProcess) -> httpx.Client:
    return httpx.Client(base_url=server.base_url, headers={"xi-api-key": TEST_KEY}, timeout=10)


def create_agent(server: ServerProcess) -> str:
    body = {
        "conversation_config": {
            "agent": {
                "first_message": "Hi!",
                "prompt": {
                    "prompt": "Be brief.",
                    "llm": "gpt-4o-mini",
                    "backup_llm_config": {"preference": "disabled"},
                },
            }
        }
    }
    with api(server) as rest:
        response = rest.post("/v1/convai/agents/create", json=body)
    assert response.status_code == 200, response.text
    agent_id: str = response.json()["agent_id"]
    return agent_id


def signed_url(server: ServerProcess, agent_id: str) -> str:
    with api(server) as rest:
        response = rest.get("/v1/convai/conversation/get-signed-url", params={"agent_id": agent_id})
    assert response.status_code == 200, response.text
    url: str = response.json()["signed_url"]
    return url


async def next_of(ws: ClientConnection, event_type: str) -> dict[str, Any]:
    while True:
        event: dict[str, Any] = json.loads(await ws.recv())
        if event["type"] == event_type:
            return event


async def start_call(ws: ClientConnection) -> str:
    await ws.send(json.dumps({"type": "conversation_initiation_client_data"}))
    metadata = await next_of(ws, "conversation_initiation_metadata")
    await next_of(ws, "agent_response")  # the first message
    conversation_id: str = metadata["conversation_initiation_metadata_event"]["conversation_id"]
    return conversation_id


async def ask(ws: ClientConnection, text: str) -> str:
    await ws.send(json.dumps({"type": "user_message", "text": text}))
    event = await next_of(ws, "agent_response")
    answer: str = event["agent_response_event"]["agent_response"]
    return answer


async def closed(ws: ClientConnection) -> tuple[int, str]:
    """Read until the server closes; returns its close code and reason."""
    try:
        async with asyncio.timeout(15):
            while True:
                await ws.recv()
    except ConnectionClosed as closing:
        frame = closing.rcvd
    assert frame is not None, "the server closed without a close frame"
    return frame.code, frame.reason


def wait_for_log(server: ServerProcess, text: str, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while text not in server.log():
        assert time.monotonic() < deadline, f"{text!r} not in the log:\n{server.log()}"
        time.sleep(0.05)


def stored(server: ServerProcess, conversation_id: str) -> dict[str, Any]:
    with api(server) as rest:
        response = rest.get(f"/v1/convai/conversations/{conversation_id}")
    assert response.status_code == 200, response.text
    conversation: dict[str, Any] = response.json()
    return conversation


def said(conversation: dict[str, Any]) -> list[tuple[str, str]]:
    return [(turn["role"], turn["message"]) for turn in conversation["transcript"]]


async def test_sigterm_lets_calls_finish_then_ends_and_stores_them(
    tmp_path: Path, database_url: str, model: FakeEndpoint
) -> None:
    with running(tmp_path, database_url, model, grace=3) as (server, agent_id):
        late_url = signed_url(server, agent_id)
        async with connect(signed_url(server, agent_id)) as call:
            conversation_id = await start_call(call)
            first = await ask(call, "What is the weather?")
            server.signal(signal.SIGTERM)
            wait_for_log(server, "new calls are refused")
            async with connect(late_url) as refused:
                assert await closed(refused) == (
                    1012,
                    "the server is shutting down; try again shortly",
                )
            with api(server) as rest:  # REST goes on during the grace period
                assert rest.get(f"/v1/convai/agents/{agent_id}").status_code == 200
            second = await ask(call, "And tomorrow?")  # the live call goes on
            code, reason = await closed(call)
        assert (code, reason) == (1001, "server shutting down (calls get 3 s to finish)")
        server.wait_exit(timeout=20)  # it exits by itself once the calls are closed
        server.start()
        conversation = stored(server, conversation_id)
        assert conversation["status"] == "done"
        assert said(conversation) == [
            ("agent", "Hi!"),
            ("user", "What is the weather?"),
            ("agent", first),
            ("user", "And tomorrow?"),
            ("agent", second),
        ]
        assert "server shutting down" in conversation["metadata"]["termination_reason"]


async def test_sigterm_exits_as_soon_as_the_last_call_ends(
    tmp_path: Path, database_url: str, model: FakeEndpoint
) -> None:
    with running(tmp_path, database_url, model, grace=60) as (server, agent_id):
        async with connect(signed_url(server, agent_id)) as call:
            conversation_id = await start_call(call)
            server.signal(signal.SIGTERM)
            wait_for_log(server, "new calls are refused")
            answer = await ask(call, "Quick question?")
        started = time.monotonic()
        server.wait_exit(timeout=20)
        assert time.monotonic() - started < 15, "the server did not wait out the whole grace"
        server.start()
        conversation = stored(server, conversation_id)
        assert conversation["status"] == "done"
        assert said(conversation)[-2:] == [("user", "Quick question?"), ("agent", answer)]


async def test_sigkill_mid_turn_keeps_every_completed_turn(
    tmp_path: Path, database_url: str, model: FakeEndpoint
) -> None:
    with running(tmp_path, database_url, model, grace=3) as (server, agent_id):
        async with connect(signed_url(server, agent_id)) as call:
            conversation_id = await start_call(call)
            first = await ask(call, "One?")
            second = await ask(call, "Two?")
            await call.send(json.dumps({"type": "user_message", "text": HANG}))
            deadline = time.monotonic() + 10
            while len(stored(server, conversation_id)["transcript"]) < 6:
                assert time.monotonic() < deadline, "the last user turn was never stored"
                await asyncio.sleep(0.05)
            server.signal(signal.SIGKILL)
            server.wait_exit(timeout=10)
        server.start()
        conversation = stored(server, conversation_id)
        assert conversation["status"] == "failed"
        assert conversation["metadata"]["termination_reason"] == "server stopped during the call"
        assert said(conversation) == [
            ("agent", "Hi!"),
            ("user", "One?"),
            ("agent", first),
            ("user", "Two?"),
            ("agent", second),
            ("user", HANG),
        ]
