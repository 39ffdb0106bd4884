"""The official ``@elevenlabs/client`` (npm, unchanged) in real Chromium, in voice mode over
WebSocket against Parley with every embedded model: by ``origin`` and by ``signedUrl``.

The SDK's browser build is served from tests/js/node_modules by a test-only web server on
127.0.0.1 (a secure context, as getUserMedia needs); speech from espeak-ng is the microphone.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.browser import chromium, collect_errors, microphone_wav, static_site
from tests.end_to_end.test_conversation_js_sdk import create_agent, rest
from tests.fakes.audio import espeak
from tests.servers import ServerProcess

pytestmark = [pytest.mark.slow_model, pytest.mark.js, pytest.mark.browser]

JS = Path(__file__).parents[1] / "js"
SDK_BUILD = JS / "node_modules" / "@elevenlabs" / "client" / "dist" / "lib.iife.js"
FILES: dict[str, Path | str] = {
    "index.html": JS / "browser_voice.html",
    "browser_voice.js": JS / "browser_voice.js",
    "lib.iife.js": SDK_BUILD,
}


def connection(server: ServerProcess, agent_id: str, mode: str) -> dict[str, str]:
    if mode == "origin":
        return {"agentId": agent_id, "origin": server.base_url.replace("http://", "ws://")}
    with rest(server) as client:
        response = client.get(
            "/v1/convai/conversation/get-signed-url", params={"agent_id": agent_id}
        )
    return {"signedUrl": response.json()["signed_url"]}


@pytest.mark.parametrize("mode", ["origin", "signed"])
def test_official_js_client_voice_call_in_chromium(
    llm_server: ServerProcess, tmp_path: Path, mode: str
) -> None:
    assert SDK_BUILD.exists(), "run (cd tests/js && npm ci) first; scripts/test.sh does"
    agent_id = create_agent(llm_server, enable_auth=mode == "signed")
    question = espeak("What is the weather in Paris right now?")
    microphone = microphone_wav(tmp_path / "mic.wav", (7.0, question), (60.0, None))

    with (
        static_site(FILES) as site,
        chromium(microphone, ["--autoplay-policy=no-user-gesture-required"]) as browser,
    ):
        page = browser.new_page()
        errors = collect_errors(page)
        page.goto(f"{site}/index.html")
        seen: dict[str, Any] = page.evaluate(
            "(c) => window.runVoiceConversation(c)", connection(llm_server, agent_id, mode)
        )

    assert seen["messages"][0] == {
        "role": "agent",
        "message": "Hello Bo! Ask me about the weather.",
    }
    assert seen["loudest"]["firstMessage"] > 0.01, "the first message was heard"
    heard = [m["message"].lower() for m in seen["messages"] if m["role"] == "user"]
    assert any("weather" in text and "paris" in text for text in heard), heard
    assert "paris" in str(seen["toolCalls"][0].get("city", "")).lower()
    answer = seen["messages"][-1]
    assert answer["role"] == "agent"
    assert "23" in answer["message"] or "sunny" in answer["message"].lower(), answer
    assert seen["loudest"]["reply"] > 0.01, "the reply was heard"
    assert seen["disconnect"] == "user"
    assert seen["errors"] == []
    assert errors == []
