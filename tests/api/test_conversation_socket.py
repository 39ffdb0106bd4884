"""The conversation WebSocket in-process, with a scripted LLM: protocol, auth, errors."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from starlette.testclient import WebSocketTestSession
from starlette.websockets import WebSocketDisconnect

from parley.app import create_app
from tests.conftest import TEST_KEY, socket_test_settings
from tests.fakes.llm import FakeLLM, call, say

INIT = {"type": "conversation_initiation_client_data"}


@pytest.fixture
def llm() -> FakeLLM:
    return FakeLLM([say("Hello ", "there."), say("Second answer.")])


@pytest.fixture
def client(tmp_path: Path, llm: FakeLLM) -> Iterator[TestClient]:
    app = create_app(socket_test_settings(tmp_path), llm_override=llm)
    with TestClient(app, headers={"xi-api-key": TEST_KEY}) as test_client:
        yield test_client


def create_agent(client: TestClient, **config: Any) -> str:
    body = {
        "conversation_config": {
            "agent": {"first_message": "Hi! Ask me anything.", "prompt": {"prompt": "Be brief."}},
            **config.pop("conversation_config", {}),
        },
        **config,
    }
    response = client.post("/v1/convai/agents/create", json=body)
    assert response.status_code == 200, response.text
    agent_id: str = response.json()["agent_id"]
    return agent_id


def receive_until(ws: WebSocketTestSession, event_type: str) -> list[dict[str, Any]]:
    events = []
    while True:
        event = ws.receive_json()
        events.append(event)
        if event["type"] == event_type:
            return events


def wait_until_stored(client: TestClient, conversation_id: str) -> dict[str, Any]:
    """The final state is written right after the socket closes, not before."""
    for _ in range(100):
        stored: dict[str, Any] = client.get(f"/v1/convai/conversations/{conversation_id}").json()
        if stored["status"] == "done":
            return stored
        time.sleep(0.01)
    raise AssertionError(f"conversation still {stored['status']}")


def closed_with(ws: WebSocketTestSession) -> tuple[int, str, list[dict[str, Any]]]:
    """Read until the server closes; returns the close code, reason and the events before."""
    events = []
    for _ in range(100):
        try:
            events.append(ws.receive_json())
        except WebSocketDisconnect as closed:
            return closed.code, closed.reason, events
    raise AssertionError(f"the server did not close the socket: {events}")


def test_text_conversation_and_readback(client: TestClient) -> None:
    agent_id = create_agent(client)
    url = f"/v1/convai/conversation?agent_id={agent_id}&source=python_sdk&version=2.78.0"
    with client.websocket_connect(url, subprotocols=["convai"]) as ws:
        assert ws.accepted_subprotocol == "convai"
        ws.send_json({"user_audio_chunk": "AAAA"})  # audio before the metadata is accepted
        ws.send_json({**INIT, "conversation_config_override": {"text_only": True}})
        metadata = ws.receive_json()
        assert metadata["type"] == "conversation_initiation_metadata"
        body = metadata["conversation_initiation_metadata_event"]
        conversation_id = body["conversation_id"]
        assert (body["agent_output_audio_format"], body["user_input_audio_format"]) == (
            "pcm_16000",
            "pcm_16000",
        )
        assert ws.receive_json()["agent_response_event"]["agent_response"] == "Hi! Ask me anything."
        ws.send_json({"type": "user_message", "text": "Hello?"})
        events = receive_until(ws, "agent_response")
        assert events[0]["user_transcription_event"]["user_transcript"] == "Hello?"
        assert events[-1]["agent_response_event"]["agent_response"] == "Hello there."
    stored = wait_until_stored(client, conversation_id)
    assert [(t["role"], t["message"]) for t in stored["transcript"]] == [
        ("agent", "Hi! Ask me anything."),
        ("user", "Hello?"),
        ("agent", "Hello there."),
    ]
    assert stored["status"] == "done"
    assert stored["metadata"]["termination_reason"] == "client disconnected"
    listed = client.get("/v1/convai/conversations", params={"agent_id": agent_id}).json()
    assert [c["conversation_id"] for c in listed["conversations"]] == [conversation_id]
    assert listed["conversations"][0]["message_count"] == 3
    assert not stored["has_audio"], "a text conversation has no recording"
    no_audio = client.get(f"/v1/convai/conversations/{conversation_id}/audio")
    assert no_audio.status_code == 404
    assert no_audio.json()["detail"]["status"] == "conversation_audio_not_found"
    assert client.delete(f"/v1/convai/conversations/{conversation_id}").status_code == 204
    assert client.get(f"/v1/convai/conversations/{conversation_id}").status_code == 404


def test_no_subprotocol_offered_none_selected(client: TestClient) -> None:
    agent_id = create_agent(client)
    with client.websocket_connect(f"/v1/convai/conversation?agent_id={agent_id}") as ws:
        assert ws.accepted_subprotocol is None
        ws.send_json(INIT)
        assert ws.receive_json()["type"] == "conversation_initiation_metadata"


def test_client_that_skips_initiation_still_gets_metadata_first(client: TestClient) -> None:
    agent_id = create_agent(client)
    with client.websocket_connect(f"/v1/convai/conversation?agent_id={agent_id}") as ws:
        ws.send_json({"type": "user_message", "text": "Straight in"})
        assert ws.receive_json()["type"] == "conversation_initiation_metadata"
        events = receive_until(ws, "agent_response")
        events += receive_until(ws, "agent_response")
        assert events[-1]["agent_response_event"]["agent_response"] == "Hello there."


def test_client_tool_round_trip_over_the_socket(client: TestClient, llm: FakeLLM) -> None:
    llm.script([call("get_weather", "call_9", location="Paris"), say("Sunny in Paris.")])
    tool = {
        "type": "client",
        "name": "get_weather",
        "description": "Weather",
        "parameters": {"type": "object", "properties": {"location": {"type": "string"}}},
    }
    agent_id = create_agent(
        client, conversation_config={"agent": {"first_message": "", "prompt": {"tools": [tool]}}}
    )
    with client.websocket_connect(f"/v1/convai/conversation?agent_id={agent_id}") as ws:
        ws.send_json(INIT)
        ws.receive_json()
        ws.send_json({"type": "user_message", "text": "Weather in Paris?"})
        tool_call = receive_until(ws, "client_tool_call")[-1]["client_tool_call"]
        assert tool_call == {
            "tool_name": "get_weather",
            "tool_call_id": "call_9",
            "parameters": {"location": "Paris"},
            "event_id": tool_call["event_id"],
        }
        ws.send_json(
            {
                "type": "client_tool_result",
                "tool_call_id": "call_9",
                "result": {"t": 25},
                "is_error": False,
            }
        )
        events = receive_until(ws, "agent_response")
        assert events[0]["agent_tool_response"]["tool_name"] == "get_weather"
        assert events[-1]["agent_response_event"]["agent_response"] == "Sunny in Paris."


@pytest.mark.parametrize(
    ("frame", "reason_part"),
    [
        ("{not json", "not valid JSON"),
        ('["a", "list"]', "JSON object"),
        ('{"type": "user_message", "text": 5}', "user_message"),
        ('{"type": "pong", "event_id": "x"}', "pong"),
        ('{"user_audio_chunk": 12}', "user_audio_chunk"),
    ],
)
def test_bad_frames_close_with_1008(client: TestClient, frame: str, reason_part: str) -> None:
    agent_id = create_agent(client)
    with client.websocket_connect(f"/v1/convai/conversation?agent_id={agent_id}") as ws:
        ws.send_json(INIT)
        receive_until(ws, "agent_response")
        ws.send_text(frame)
        code, reason, events = closed_with(ws)
    assert code == 1008
    assert reason_part in reason
    assert events[-1]["type"] == "error"
    assert events[-1]["error_event"]["error_type"] == "invalid_message"


def test_binary_frame_closes_with_1008(client: TestClient) -> None:
    agent_id = create_agent(client)
    with client.websocket_connect(f"/v1/convai/conversation?agent_id={agent_id}") as ws:
        ws.send_json(INIT)
        receive_until(ws, "agent_response")
        ws.send_bytes(b"\x00\x01")
        code, reason, _ = closed_with(ws)
    assert (code, "binary" in reason) == (1008, True)


def test_unknown_event_type_is_reported_and_the_call_goes_on(client: TestClient) -> None:
    agent_id = create_agent(client)
    with client.websocket_connect(f"/v1/convai/conversation?agent_id={agent_id}") as ws:
        ws.send_json(INIT)
        receive_until(ws, "agent_response")
        ws.send_json({"type": "teleport", "where": "moon"})
        error = ws.receive_json()
        assert error["type"] == "error"
        assert "teleport" in error["error_event"]["message"]
        ws.send_json({"type": "user_message", "text": "Still there?"})
        assert receive_until(ws, "agent_response")[-1]["agent_response_event"]["agent_response"]


@pytest.mark.parametrize(
    ("query", "reason_part"),
    [("", "agent_id"), ("?agent_id=agent_nope", "does not exist")],
)
def test_unknown_agent_is_refused(client: TestClient, query: str, reason_part: str) -> None:
    with client.websocket_connect(f"/v1/convai/conversation{query}") as ws:
        code, reason, _ = closed_with(ws)
    assert code == 1008
    assert reason_part in reason


def test_forbidden_override_closes_with_override_error(client: TestClient) -> None:
    agent_id = create_agent(client)
    with client.websocket_connect(f"/v1/convai/conversation?agent_id={agent_id}") as ws:
        ws.send_json({**INIT, "conversation_config_override": {"agent": {"first_message": "x"}}})
        code, _, events = closed_with(ws)
    assert code == 1008
    assert events == [
        {
            "type": "error",
            "error_event": {
                "code": 1008,
                "message": events[0]["error_event"]["message"],
                "error_type": "override_error",
                "reason": events[0]["error_event"]["reason"],
            },
        }
    ]


def test_missing_dynamic_variable_closes_with_1008(client: TestClient) -> None:
    agent_id = create_agent(client, conversation_config={"agent": {"first_message": "Hi {{name}}"}})
    with client.websocket_connect(f"/v1/convai/conversation?agent_id={agent_id}") as ws:
        ws.send_json(INIT)
        code, _, events = closed_with(ws)
    assert code == 1008
    assert events[0]["error_event"]["error_type"] == "missing_dynamic_variable"
    refused = client.get("/v1/convai/conversations", params={"agent_id": agent_id}).json()
    assert [c["status"] for c in refused["conversations"]] == ["failed"]
    with client.websocket_connect(f"/v1/convai/conversation?agent_id={agent_id}") as ws:
        ws.send_json({**INIT, "dynamic_variables": {"name": "Ann"}})
        events = receive_until(ws, "agent_response")
        assert events[-1]["agent_response_event"]["agent_response"] == "Hi Ann"


def signed_url(client: TestClient, agent_id: str, **params: Any) -> str:
    response = client.get(
        "/v1/convai/conversation/get-signed-url", params={"agent_id": agent_id, **params}
    )
    assert response.status_code == 200, response.text
    url: str = response.json()["signed_url"]
    assert url.startswith("ws://testserver/v1/convai/conversation?agent_id=")
    return url.removeprefix("ws://testserver")


PRIVATE = {"platform_settings": {"auth": {"enable_auth": True}}}


def test_private_agent_needs_a_signed_url(client: TestClient) -> None:
    agent_id = create_agent(client, **PRIVATE)
    with client.websocket_connect(f"/v1/convai/conversation?agent_id={agent_id}") as ws:
        code, reason, _ = closed_with(ws)
    assert (code, "signed URL" in reason) == (1008, True)

    with client.websocket_connect(signed_url(client, agent_id) + "&source=js_sdk") as ws:
        ws.send_json(INIT)
        assert ws.receive_json()["type"] == "conversation_initiation_metadata"


def test_token_is_accepted_as_token_and_as_bearer_subprotocol(client: TestClient) -> None:
    agent_id = create_agent(client, **PRIVATE)
    token = signed_url(client, agent_id).split("conversation_signature=")[1]
    with client.websocket_connect(
        f"/v1/convai/conversation?agent_id={agent_id}&token={token}"
    ) as ws:
        ws.send_json(INIT)
        assert ws.receive_json()["type"] == "conversation_initiation_metadata"
    with client.websocket_connect(
        f"/v1/convai/conversation?agent_id={agent_id}", subprotocols=["convai", f"bearer.{token}"]
    ) as ws:
        assert ws.accepted_subprotocol == "convai"
        ws.send_json(INIT)
        assert ws.receive_json()["type"] == "conversation_initiation_metadata"


def test_bad_tokens_are_refused_with_a_reason(client: TestClient) -> None:
    agent_id = create_agent(client, **PRIVATE)
    other_id = create_agent(client, **PRIVATE)
    token = signed_url(client, other_id).split("conversation_signature=")[1]
    cases = {
        f"agent_id={agent_id}&conversation_signature={token}": "another agent",
        f"agent_id={agent_id}&conversation_signature={token[:-2]}xx": "signature",
        f"agent_id={agent_id}&conversation_signature=garbage": "malformed",
    }
    for query, reason_part in cases.items():
        with client.websocket_connect(f"/v1/convai/conversation?{query}") as ws:
            code, reason, _ = closed_with(ws)
        assert code == 1008
        assert reason_part in reason


def test_single_use_signed_url_cannot_be_replayed(client: TestClient) -> None:
    agent_id = create_agent(client, **PRIVATE)
    url = signed_url(client, agent_id, include_conversation_id="true")
    with client.websocket_connect(url) as ws:
        ws.send_json(INIT)
        first = ws.receive_json()["conversation_initiation_metadata_event"]["conversation_id"]
    with client.websocket_connect(url) as ws:
        code, reason, _ = closed_with(ws)
    assert (code, "already used" in reason) == (1008, True)
    assert client.get(f"/v1/convai/conversations/{first}").status_code == 200


def test_signed_url_endpoint_needs_a_key_and_a_real_agent(client: TestClient) -> None:
    url = "/v1/convai/conversation/get-signed-url"
    assert client.get(url, params={"agent_id": "agent_x"}).status_code == 404
    assert (
        client.get(url, params={"agent_id": "x"}, headers={"xi-api-key": "bad"}).status_code == 401
    )


def test_text_only_agent_gets_no_audio_and_events_follow_client_events(client: TestClient) -> None:
    agent_id = create_agent(
        client, conversation_config={"conversation": {"client_events": ["agent_response"]}}
    )
    with client.websocket_connect(f"/v1/convai/conversation?agent_id={agent_id}") as ws:
        ws.send_json(INIT)
        ws.receive_json()
        ws.receive_json()
        ws.send_json({"type": "user_message", "text": "Hi"})
        event = ws.receive_json()
        assert event["type"] == "agent_response", "no user_transcript: not in client_events"


def test_secrets_api(client: TestClient) -> None:
    created = client.post(
        "/v1/convai/secrets", json={"type": "new", "name": "llm key", "value": "s3"}
    )
    assert created.status_code == 200
    secret_id = created.json()["secret_id"]
    listed = client.get("/v1/convai/secrets").json()["secrets"]
    assert listed == [{"type": "stored", "secret_id": secret_id, "name": "llm key"}]
    assert "s3" not in json.dumps(listed)
    assert client.delete(f"/v1/convai/secrets/{secret_id}").status_code == 204


def test_audio_sent_before_the_initiation_is_checked_like_any_audio(client: TestClient) -> None:
    """Chunks before ``conversation_initiation_client_data`` wait and are heard once the
    call starts (as on the platform): so a bad one ends the call, as it would later."""
    agent_id = create_agent(client)
    with client.websocket_connect(f"/v1/convai/conversation?agent_id={agent_id}") as ws:
        ws.send_json({"user_audio_chunk": "@@not base64@@"})
        ws.send_json(INIT)
        code, reason, events = closed_with(ws)
    assert events[0]["type"] == "conversation_initiation_metadata"
    assert (code, "not valid base64" in reason) == (1008, True)


def test_a_flood_of_audio_before_the_initiation_is_refused(client: TestClient) -> None:
    agent_id = create_agent(client)
    second = "A" * 700_000  # ~16 s of pcm_16000 each
    with client.websocket_connect(f"/v1/convai/conversation?agent_id={agent_id}") as ws:
        for _ in range(3):
            ws.send_json({"user_audio_chunk": second})
        code, reason, _ = closed_with(ws)
    assert (code, "too much audio before" in reason) == (1008, True)
