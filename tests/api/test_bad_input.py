"""Bad input never costs data: every bad frame or request gets the spec's answer, and another
conversation on the same server goes on with its stored transcript intact.

Each WebSocket case runs on one conversation while a second one is open on the same server;
afterwards the second one still answers and ``GET /v1/convai/conversations/{id}`` shows its
whole transcript.
"""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import pytest
from fastapi.testclient import TestClient
from starlette.testclient import WebSocketTestSession

from parley.app import create_app
from tests.api.test_conversation_socket import INIT, closed_with, create_agent, receive_until
from tests.conftest import TEST_KEY, socket_test_settings
from tests.fakes.llm import FakeLLM, say

MAX_MESSAGE = 64 * 1024
SOCKET = "/v1/convai/conversation"


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    settings = socket_test_settings(tmp_path, ws_max_message_bytes=MAX_MESSAGE)
    llm = FakeLLM(lambda request: say(f"Reply {len(request.messages)}."))
    with TestClient(create_app(settings, llm_override=llm), headers={"xi-api-key": TEST_KEY}) as c:
        yield c


Frame = str | bytes


@dataclass(frozen=True)
class Case:
    """Frames sent after the first message, and what the spec says must follow.

    ``close``: the call ends with ``code`` (an ``error`` event with ``error_type`` first, unless
    ``error_type`` is None); ``report``: an ``error`` event and the call goes on; ``ignore``: the
    call goes on as if nothing happened.
    """

    frames: list[Frame]
    outcome: Literal["close", "report", "ignore"]
    code: int = 1008
    reason_part: str = ""
    error_type: str | None = "invalid_message"
    user_messages: list[str] = field(default_factory=list)


def _json(**event: Any) -> str:
    return json.dumps(event)


def _audio(data: bytes) -> str:
    return _json(user_audio_chunk=base64.b64encode(data).decode())


FLOOD = [f"message {n}" for n in range(200)]

CASES = {
    "malformed-json": Case(["{not json"], "close", reason_part="not valid JSON"),
    "json-not-an-object": Case(["[1, 2]"], "close", reason_part="JSON object"),
    "empty-frame": Case([""], "close", reason_part="not valid JSON"),
    "binary-frame": Case([b"\x00\x01\x02"], "close", reason_part="binary frames"),
    "unknown-type": Case([_json(type="teleport")], "report"),
    "missing-type": Case([_json(text="hi")], "report"),
    "text-not-a-string": Case([_json(type="user_message", text=5)], "close", reason_part="text"),
    "tool-result-id-not-a-string": Case(
        [_json(type="client_tool_result", tool_call_id={"a": 1}, result="x")],
        "close",
        reason_part="tool_call_id",
    ),
    "context-not-a-string": Case(
        [_json(type="contextual_update", text=["a"])], "close", reason_part="contextual_update"
    ),
    "pong-id-not-an-int": Case([_json(type="pong", event_id="x")], "close", reason_part="pong"),
    "audio-not-a-string": Case([_json(user_audio_chunk=12)], "close", reason_part="audio"),
    "invalid-base64": Case(
        [_json(user_audio_chunk="@@not base64@@")], "close", reason_part="not valid base64"
    ),
    "nul-character": Case(
        [_json(type="user_message", text="a\u0000b")], "close", reason_part="NUL"
    ),
    "nul-in-a-key": Case(
        [_json(type="conversation_initiation_client_data", dynamic_variables={"a\u0000": 1})],
        "close",
        reason_part="NUL",
    ),
    "odd-length-pcm": Case([_audio(b"\x01\x02\x03"), _audio(b"\x04")], "ignore"),
    "huge-frame": Case(
        [_json(type="user_message", text="x" * (MAX_MESSAGE + 1))],
        "close",
        code=1009,
        reason_part="over the limit",
    ),
    "initiation-again-mid-call": Case([json.dumps(INIT)], "ignore"),
    "tool-result-for-unknown-id": Case(
        [_json(type="client_tool_result", tool_call_id="call_nope", result="x", is_error=False)],
        "ignore",
    ),
    "pong-for-unknown-ping": Case([_json(type="pong", event_id=424242)], "ignore"),
    "feedback-out-of-order": Case([_json(type="feedback", score="like", event_id=999)], "ignore"),
    "user-message-flood": Case(
        [_json(type="user_message", text=text) for text in FLOOD], "ignore", user_messages=FLOOD
    ),
}


def _start(client: TestClient, ws: WebSocketTestSession) -> str:
    ws.send_json(INIT)
    events = receive_until(ws, "agent_response")
    conversation_id: str = events[0]["conversation_initiation_metadata_event"]["conversation_id"]
    return conversation_id


def _ask(ws: WebSocketTestSession, text: str) -> str:
    ws.send_json({"type": "user_message", "text": text})
    while True:
        event = ws.receive_json()
        if event["type"] == "agent_response":
            reply: str = event["agent_response_event"]["agent_response"]
            return reply


def _stored(client: TestClient, conversation_id: str, statuses: set[str]) -> dict[str, Any]:
    for _ in range(300):
        body: dict[str, Any] = client.get(f"/v1/convai/conversations/{conversation_id}").json()
        if body["status"] in statuses:
            return body
        time.sleep(0.01)
    raise AssertionError(f"{conversation_id} is {body['status']}, expected one of {statuses}")


def _send(ws: WebSocketTestSession, frame: Frame) -> None:
    if isinstance(frame, bytes):
        ws.send_bytes(frame)
    else:
        ws.send_text(frame)


@pytest.mark.parametrize("case", list(CASES.values()), ids=list(CASES))
def test_bad_websocket_input(client: TestClient, case: Case) -> None:
    agent_id = create_agent(client)
    with client.websocket_connect(f"{SOCKET}?agent_id={agent_id}") as other:
        other_id = _start(client, other)
        other_reply = _ask(other, "I am the other caller")
        with client.websocket_connect(f"{SOCKET}?agent_id={agent_id}") as ws:
            bad_id = _start(client, ws)
            for frame in case.frames:
                _send(ws, frame)
            if case.outcome == "close":
                code, reason, events = closed_with(ws)
                assert code == case.code, (code, reason)
                assert case.reason_part in reason
                assert events[-1]["type"] == "error"
                assert events[-1]["error_event"]["error_type"] == case.error_type
            else:
                if case.outcome == "report":
                    error = ws.receive_json()
                    assert error["type"] == "error", error
                    assert error["error_event"]["error_type"] == case.error_type
                assert _ask(ws, "Are you still working?").startswith("Reply")
        assert _ask(other, "And me?").startswith("Reply")

    kept = _stored(client, other_id, {"done"})
    assert [(t["role"], t["message"]) for t in kept["transcript"]] == [
        ("agent", "Hi! Ask me anything."),
        ("user", "I am the other caller"),
        ("agent", other_reply),
        ("user", "And me?"),
        ("agent", kept["transcript"][-1]["message"]),
    ]
    bad = _stored(client, bad_id, {"done", "failed"})
    assert bad["status"] == ("failed" if case.outcome == "close" else "done")
    users = [t["message"] for t in bad["transcript"] if t["role"] == "user"]
    if case.outcome == "close":
        assert users == []
    else:  # every message the server took is stored, in order
        assert users == [*case.user_messages, "Are you still working?"]


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/v1/convai/agents?page_size=0", 422),
        ("/v1/convai/agents?page_size=101", 422),
        ("/v1/convai/agents?page_size=lots", 422),
        ("/v1/convai/conversations?page_size=-1", 422),
        ("/v1/convai/conversations?page_size=1000000", 422),
        ("/v1/convai/conversations?cursor=%00%ff", 400),
        ("/v1/convai/conversations/conv_nope", 404),
        ("/v1/convai/conversation/get-signed-url", 422),
        ("/v1/convai/conversation/get-signed-url?agent_id=agent_nope", 404),
        ("/v1/convai/agents/agent_%00", 400),
        ("/v1/convai/conversations?agent_id=a%00", 400),
    ],
)
def test_bad_rest_input_is_a_4xx_and_keeps_stored_data(
    client: TestClient, path: str, status: int
) -> None:
    agent_id = create_agent(client)
    with client.websocket_connect(f"{SOCKET}?agent_id={agent_id}") as ws:
        conversation_id = _start(client, ws)
        reply = _ask(ws, "Remember me")
    before = _stored(client, conversation_id, {"done"})
    response = client.get(path)
    assert response.status_code == status, response.text
    assert isinstance(response.json()["detail"], dict | list)
    assert client.get(f"/v1/convai/conversations/{conversation_id}").json() == before
    assert [t["message"] for t in before["transcript"]] == [
        "Hi! Ask me anything.",
        "Remember me",
        reply,
    ]


@pytest.mark.parametrize(
    "body",
    [
        {"conversation_config": {}, "name": "a\u0000b"},
        {"conversation_config": {"agent": {"first_message": "hi\u0000"}}},
        {"conversation_config": {}, "tags": ["ok", "\u0000"]},
    ],
)
def test_nul_characters_are_refused_before_the_database(
    client: TestClient, body: dict[str, Any]
) -> None:
    """PostgreSQL cannot store NUL; it is a 400 on every database, not a 500 on one."""
    response = client.post("/v1/convai/agents/create", json=body)
    assert response.status_code == 400
    assert response.json()["detail"]["status"] == "invalid_input"
    assert client.get("/v1/convai/agents").json()["agents"] == []
    literal = client.post(  # an escaped backslash followed by "u0000" is ordinary text
        "/v1/convai/agents/create", json={"conversation_config": {}, "name": "\\u0000"}
    )
    assert literal.status_code == 200


def test_a_nul_in_the_agent_id_is_refused(client: TestClient) -> None:
    with client.websocket_connect(f"{SOCKET}?agent_id=agent_%00") as ws:
        code, reason, _ = closed_with(ws)
    assert (code, "NUL" in reason) == (1008, True)
