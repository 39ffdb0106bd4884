"""No keys, tokens, transcripts or audio in the server's log at info level.

A full conversation on a real server (signed URL, dynamic variables, audio, a user turn and the
embedded LLM's answer); afterwards the server's log must contain none of what was said or the
secrets that carried it, while still logging the request lines themselves.
"""

from __future__ import annotations

import base64
import json
import secrets
import time
from typing import Any

import httpx
import pytest
from websockets.sync.client import connect

from parley.redaction import redact
from tests.conftest import TEST_KEY
from tests.servers import ServerProcess


def _receive_until(ws: Any, event_type: str) -> list[dict[str, Any]]:
    events = []
    while True:
        event = json.loads(ws.recv(timeout=120))
        events.append(event)
        if event["type"] == "ping":
            ws.send(json.dumps({"type": "pong", "event_id": event["ping_event"]["event_id"]}))
        if event["type"] == event_type:
            return events


def _wait_for_preload(server: ServerProcess) -> None:
    """While llama.cpp loads a model it points the process's stdout and stderr at /dev/null
    (see providers/llm/local.py), so lines logged then are lost; this test must read lines
    logged after the preload, or it would pass on an empty log."""
    done = ("speech models ready", "voice is off", "could not preload")
    deadline = time.monotonic() + 300
    while not any(line in server.log() for line in done):
        assert time.monotonic() < deadline, "the models did not finish loading"
        time.sleep(0.2)


@pytest.mark.slow_model
def test_a_conversation_leaves_no_secrets_in_the_log(
    llm_server: ServerProcess, request: pytest.FixtureRequest
) -> None:
    _wait_for_preload(llm_server)
    marker = secrets.token_hex(4)
    said = f"My account code is walrus-{marker}. Reply with one short sentence."
    variable = f"vault-{marker}"
    first = f"Welcome {{{{caller}}}}, line {marker}."
    audio = base64.b64encode(secrets.token_bytes(640)).decode()
    api = httpx.Client(base_url=llm_server.base_url, headers={"xi-api-key": TEST_KEY}, timeout=30)
    request.addfinalizer(api.close)
    agent_id = api.post(
        "/v1/convai/agents/create",
        json={
            "conversation_config": {
                "agent": {"first_message": first, "prompt": {"prompt": "Be brief."}},
                "conversation": {"text_only": True},
            },
            "platform_settings": {"auth": {"enable_auth": True}},
        },
    ).json()["agent_id"]
    signed_url = api.get(
        "/v1/convai/conversation/get-signed-url", params={"agent_id": agent_id}
    ).json()["signed_url"]
    token = signed_url.split("conversation_signature=")[1]

    with connect(signed_url, subprotocols=["convai"]) as ws:  # type: ignore[list-item]
        ws.send(
            json.dumps(
                {
                    "type": "conversation_initiation_client_data",
                    "dynamic_variables": {"caller": variable},
                }
            )
        )
        events = _receive_until(ws, "agent_response")
        conversation_id = events[0]["conversation_initiation_metadata_event"]["conversation_id"]
        ws.send(json.dumps({"user_audio_chunk": audio}))
        ws.send(json.dumps({"type": "user_message", "text": said}))
        reply = _receive_until(ws, "agent_response")[-1]["agent_response_event"]["agent_response"]

    for _ in range(100):
        stored = api.get(f"/v1/convai/conversations/{conversation_id}").json()
        if stored["status"] == "done":
            break
        time.sleep(0.1)
    assert [t["message"] for t in stored["transcript"]][:2] == [
        f"Welcome {variable}, line {marker}.",
        said,
    ]

    log = llm_server.log()
    assert "conversation_signature=[redacted]" in log, "the request line is logged, redacted"
    leaked = {
        "API key": TEST_KEY,
        "signed URL token": token,
        "token signature": token.split(".")[1],
        "user message": f"walrus-{marker}",
        "dynamic variable": variable,
        "first message": f"line {marker}",
        "audio": audio[:40],
    }
    if len(reply) >= 24:  # a short reply ("Sure.") could appear in any log by chance
        leaked["agent reply"] = reply
    assert {what: value for what, value in leaked.items() if value in log} == {}


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (
            '"WebSocket /v1/convai/conversation?agent_id=a&conversation_signature=x.y" [accepted]',
            '"WebSocket /v1/convai/conversation?agent_id=a&conversation_signature=[redacted]" '
            "[accepted]",
        ),
        ("GET /x?token=abc&page=2 HTTP/1.1", "GET /x?token=[redacted]&page=2 HTTP/1.1"),
        ("GET /x?xi-api-key=sk_1 HTTP/1.1", "GET /x?xi-api-key=[redacted] HTTP/1.1"),
        ("GET /v1/convai/agents?page_size=3", "GET /v1/convai/agents?page_size=3"),
    ],
)
def test_redaction_of_request_lines(line: str, expected: str) -> None:
    assert redact(line) == expected
