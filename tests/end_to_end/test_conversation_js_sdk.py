"""A text conversation through the official JS client (``@elevenlabs/client`` in Node)
with the real embedded LLM, by ``origin`` and by ``signedUrl``."""

from __future__ import annotations

import httpx
import pytest

from tests.conftest import TEST_KEY
from tests.end_to_end.test_agents_js_sdk import run_node
from tests.end_to_end.test_conversation_python_sdk import WEATHER_TOOL
from tests.servers import ServerProcess

pytestmark = [pytest.mark.slow_model, pytest.mark.js]


def rest(server: ServerProcess) -> httpx.Client:
    return httpx.Client(base_url=server.base_url, headers={"xi-api-key": TEST_KEY}, timeout=30)


def create_agent(server: ServerProcess, enable_auth: bool) -> str:
    body = {
        "conversation_config": {
            "agent": {
                "first_message": "Hello {{user_name}}! Ask me about the weather.",
                "prompt": {
                    "prompt": "You are a weather assistant. Answer in one short sentence. "
                    "Use the get_weather tool for any weather question.",
                    "temperature": 0.0,
                    "tools": [WEATHER_TOOL],
                },
            }
        },
        "platform_settings": {"auth": {"enable_auth": enable_auth}},
    }
    with rest(server) as client:
        response = client.post("/v1/convai/agents/create", json=body)
    assert response.status_code == 200, response.text
    agent_id: str = response.json()["agent_id"]
    return agent_id


@pytest.mark.parametrize("mode", ["origin", "signed"])
def test_js_client_text_conversation(llm_server: ServerProcess, mode: str) -> None:
    agent_id = create_agent(llm_server, enable_auth=mode == "signed")
    if mode == "signed":
        with rest(llm_server) as client:
            target = client.get(
                "/v1/convai/conversation/get-signed-url", params={"agent_id": agent_id}
            ).json()["signed_url"]
    else:
        target = llm_server.base_url.replace("http://", "ws://")

    seen = run_node("text_conversation.mjs", target, agent_id, mode, llm_server.base_url, TEST_KEY)

    assert seen["messages"][0] == {
        "role": "agent",
        "message": "Hello Bo! Ask me about the weather.",
    }
    assert {"role": "user", "message": "What is the weather in Paris right now?"} in seen[
        "messages"
    ]
    assert "paris" in str(seen["toolCalls"][0].get("city", "")).lower()
    answer = seen["messages"][-1]
    assert answer["role"] == "agent"
    assert "23" in answer["message"] or "sunny" in answer["message"].lower(), answer
    assert seen["disconnect"] == "user"
    assert seen["errors"] == []

    # read back through the JS REST SDK, which validates every field it parses
    assert seen["stored"]["status"] == "done"
    assert seen["stored"]["agentId"] == agent_id
    assert seen["stored"]["roles"][:2] == ["agent", "user"]
    assert "get_weather" in seen["stored"]["toolNames"]
    assert seen["listed"] == [seen["conversationId"]]
