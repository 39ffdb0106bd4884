"""A text conversation through the official Python SDK with the real embedded LLM.

The server runs the default local model (Qwen2.5-Coder 1.5B); the SDK's ``Conversation``
connects publicly and with a signed URL, answers pings, runs a client tool, ends cleanly,
and the conversation then reads back through ``conversations.get``.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from elevenlabs import CreateAgentResponseModel, ElevenLabs
from elevenlabs.conversational_ai.conversation import (
    ClientTools,
    Conversation,
    ConversationInitiationData,
)

from tests.conftest import TEST_KEY
from tests.servers import ServerProcess

pytestmark = pytest.mark.slow_model

WEATHER_TOOL = {
    "type": "client",
    "name": "get_weather",
    "description": "Get the current weather for a city. "
    "Call it whenever the user asks about weather.",
    "response_timeout_secs": 20,
    "expects_response": True,
    "parameters": {
        "type": "object",
        "required": ["city"],
        "properties": {"city": {"type": "string", "description": "The city name"}},
    },
}


@pytest.fixture
def client(llm_server: ServerProcess) -> Iterator[ElevenLabs]:
    with httpx.Client(timeout=60) as connection:
        yield ElevenLabs(base_url=llm_server.base_url, api_key=TEST_KEY, httpx_client=connection)


def create_agent(client: ElevenLabs, enable_auth: bool) -> str:
    # the SDK's client properties are unannotated: name the type agents.create returns
    created: CreateAgentResponseModel = client.conversational_ai.agents.create(
        name="Weather bot",
        conversation_config={
            "agent": {
                "first_message": "Hi {{user_name}}, I can tell you the weather.",
                "prompt": {
                    "prompt": "You are a weather assistant. Answer in one short sentence. "
                    "Use the get_weather tool for any weather question.",
                    "temperature": 0.0,
                    "tools": [WEATHER_TOOL],
                },
            },
        },
        platform_settings={"auth": {"enable_auth": enable_auth}},
    )
    assert created.agent_id is not None
    return created.agent_id


class Recorder:
    """Collects the SDK's callbacks (they run on the SDK's receive thread)."""

    def __init__(self) -> None:
        self.agent: list[str] = []
        self.users: list[str] = []
        self.latencies: list[int] = []
        self.tool_params: list[dict[str, Any]] = []
        self._changed = threading.Condition()

    def on_agent(self, text: str) -> None:
        with self._changed:
            self.agent.append(text)
            self._changed.notify_all()

    def on_user(self, text: str) -> None:
        self.users.append(text)

    def on_latency(self, ms: int) -> None:
        with self._changed:
            self.latencies.append(ms)
            self._changed.notify_all()

    def weather(self, params: dict[str, Any]) -> dict[str, Any]:
        self.tool_params.append(params)
        return {"city": params.get("city"), "temperature_c": 23, "condition": "sunny"}

    def wait_for(self, condition: Callable[[], bool], timeout: float = 90.0) -> None:
        with self._changed:
            assert self._changed.wait_for(condition, timeout), (self.agent, self.latencies)


@pytest.mark.parametrize("requires_auth", [False, True])
def test_text_conversation_with_a_client_tool(
    client: ElevenLabs, requires_auth: bool, tmp_path: Path
) -> None:
    agent_id = create_agent(client, enable_auth=requires_auth)
    seen = Recorder()
    tools = ClientTools()
    tools.register("get_weather", seen.weather)
    conversation = Conversation(
        client,
        agent_id,
        requires_auth=requires_auth,
        audio_interface=None,
        client_tools=tools,
        config=_init({"user_name": "Ann"}),
        callback_agent_response=seen.on_agent,
        callback_user_transcript=seen.on_user,
        callback_latency_measurement=seen.on_latency,
    )
    conversation.start_session()
    seen.wait_for(lambda: len(seen.agent) >= 1)
    assert seen.agent[0] == "Hi Ann, I can tell you the weather."

    conversation.send_user_message("What is the weather in Paris right now?")
    seen.wait_for(lambda: len(seen.agent) >= 2)
    assert seen.tool_params, "the client tool was called"
    assert "paris" in str(seen.tool_params[0].get("city", "")).lower()
    assert "23" in seen.agent[-1] or "sunny" in seen.agent[-1].lower(), seen.agent[-1]

    seen.wait_for(lambda: len(seen.latencies) >= 1)  # pings answered, ping_ms measured
    conversation.end_session()
    conversation_id = conversation.wait_for_session_end()
    assert conversation_id

    stored = _wait_until_done(client, conversation_id)
    roles = [(entry.role, entry.message) for entry in stored.transcript or []]
    assert roles[0] == ("agent", "Hi Ann, I can tell you the weather.")
    assert ("user", "What is the weather in Paris right now?") in roles
    tool_entry = next(e for e in stored.transcript or [] if e.tool_calls)
    assert tool_entry.tool_calls[0].tool_name == "get_weather"
    assert roles[-1] == ("agent", seen.agent[-1])
    assert stored.agent_id == agent_id


def _init(variables: dict[str, Any]) -> ConversationInitiationData:
    return ConversationInitiationData(dynamic_variables=variables)


def _wait_until_done(client: ElevenLabs, conversation_id: str) -> Any:
    """The server stores the final status right after the socket closes."""
    for _ in range(50):
        stored = client.conversational_ai.conversations.get(conversation_id)
        if stored.status == "done":
            return stored
        time.sleep(0.1)
    raise AssertionError(f"conversation still {stored.status}")
