"""Bad REST input gets a precise 4xx, and nothing already stored is lost."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

CREATE = "/v1/convai/agents/create"


def error_locs(body: dict[str, Any]) -> list[list[Any]]:
    return [item["loc"] for item in body["detail"]]


@pytest.mark.parametrize(
    ("body", "loc", "error_type"),
    [
        pytest.param(
            {"conversation_config": {"asr": {"user_input_audio_format": "mp3_44100"}}},
            ["body", "conversation_config", "asr", "user_input_audio_format"],
            "literal_error",
            id="wrong-enum",
        ),
        pytest.param(
            {"conversation_config": {"turn": {"turn_eagerness": "hasty"}}},
            ["body", "conversation_config", "turn", "turn_eagerness"],
            "literal_error",
            id="wrong-enum-turn-eagerness",
        ),
        pytest.param(
            {"conversation_config": {"turn": {"turn_timeout": "soon"}}},
            ["body", "conversation_config", "turn", "turn_timeout"],
            "float_parsing",
            id="wrong-type",
        ),
        pytest.param(
            {"conversation_config": {"conversation": {"max_duration_seconds": [600]}}},
            ["body", "conversation_config", "conversation", "max_duration_seconds"],
            "int_type",
            id="wrong-type-list-for-int",
        ),
        pytest.param(
            {"conversation_config": {"agent": {"prompt": {"tools": [{"type": "client"}]}}}},
            ["body", "conversation_config", "agent", "prompt", "tools", 0, "client", "name"],
            "missing",
            id="missing-required-nested-field",
        ),
        pytest.param(
            {"conversation_config": {"agent": {"prompt": {"tools": [{"type": "magic"}]}}}},
            ["body", "conversation_config", "agent", "prompt", "tools", 0],
            "union_tag_invalid",
            id="unknown-tool-type",
        ),
        pytest.param(
            {"conversation_config": {"agent": {"prompt": {"custom_llm": {"model_id": "m"}}}}},
            ["body", "conversation_config", "agent", "prompt", "custom_llm", "url"],
            "missing",
            id="custom-llm-without-url",
        ),
        pytest.param({}, ["body", "conversation_config"], "missing", id="no-conversation-config"),
        pytest.param(
            {"conversation_config": {}, "tags": "support"},
            ["body", "tags"],
            "list_type",
            id="tags-not-a-list",
        ),
    ],
)
def test_invalid_agent_is_refused_with_the_field_path(
    client: TestClient, body: dict[str, Any], loc: list[Any], error_type: str
) -> None:
    response = client.post(CREATE, json=body)
    assert response.status_code == 422
    detail = response.json()["detail"]
    assert loc in error_locs(response.json()), detail
    assert error_type in {item["type"] for item in detail}
    assert all(item["msg"] for item in detail)


def test_invalid_patch_names_the_field_and_keeps_the_agent(client: TestClient) -> None:
    agent_id = client.post(CREATE, json={"conversation_config": {}, "name": "Keep"}).json()[
        "agent_id"
    ]
    before = client.get(f"/v1/convai/agents/{agent_id}").json()
    response = client.patch(
        f"/v1/convai/agents/{agent_id}",
        json={"conversation_config": {"tts": {"agent_output_audio_format": "wav"}}},
    )
    assert response.status_code == 422
    assert error_locs(response.json()) == [
        ["body", "conversation_config", "tts", "agent_output_audio_format"]
    ]
    assert client.get(f"/v1/convai/agents/{agent_id}").json() == before


def test_malformed_json_is_a_400(client: TestClient) -> None:
    response = client.post(
        CREATE, content=b'{"conversation_config": {', headers={"content-type": "application/json"}
    )
    assert response.status_code == 400
    detail = response.json()["detail"]
    assert detail["status"] == "invalid_json"
    assert "not valid JSON" in detail["message"]


def test_non_json_body_is_a_415(client: TestClient) -> None:
    response = client.post(
        CREATE, content=b'{"conversation_config": {}}', headers={"content-type": "text/plain"}
    )
    assert response.status_code == 415
    assert "application/json" in response.json()["detail"]["message"]


@pytest.mark.parametrize("declare_length", [True, False])
def test_oversized_body_is_a_413(client: TestClient, declare_length: bool) -> None:
    payload = b'{"conversation_config": {}, "name": "' + b"x" * 70_000 + b'"}'
    if declare_length:
        response = client.post(CREATE, content=payload)
    else:
        response = client.post(CREATE, content=iter([payload[:40_000], payload[40_000:]]))
    assert response.status_code == 413
    assert response.json()["detail"]["status"] == "payload_too_large"


@pytest.mark.parametrize(
    ("method", "path", "status", "code"),
    [
        ("GET", "/v1/convai/agents/agent_missing", 404, "agent_not_found"),
        ("PATCH", "/v1/convai/agents/agent_missing", 404, "agent_not_found"),
        ("DELETE", "/v1/convai/agents/agent_missing", 404, "agent_not_found"),
        ("POST", "/v1/convai/agents/agent_missing/duplicate", 404, "agent_not_found"),
        ("GET", "/v1/convai/agents?cursor=not-a-cursor", 400, "invalid_cursor"),
        ("GET", "/v1/convai/nothing-here", 404, "not_found"),
        ("PUT", "/v1/convai/agents/agent_missing", 405, "method_not_allowed"),
    ],
)
def test_other_errors_are_json(
    client: TestClient, method: str, path: str, status: int, code: str
) -> None:
    response = client.request(method, path, json={} if method == "PATCH" else None)
    assert response.status_code == status
    assert response.json()["detail"]["status"] == code


def test_server_keeps_serving_after_bad_input(client: TestClient) -> None:
    kept = client.post(CREATE, json={"conversation_config": {}, "name": "Survivor"}).json()
    client.post(CREATE, content=b"\xff\xfe garbage", headers={"content-type": "application/json"})
    client.post(CREATE, json={"conversation_config": {"asr": {"quality": "low"}}})
    client.post(CREATE, content=b"{" * 10_000, headers={"content-type": "application/json"})
    client.patch(f"/v1/convai/agents/{kept['agent_id']}", json={"tags": [1, {"a": 2}]})

    assert client.get(f"/v1/convai/agents/{kept['agent_id']}").json()["name"] == "Survivor"
    assert client.post(CREATE, json={"conversation_config": {}}).status_code == 200
    assert len(client.get("/v1/convai/agents").json()["agents"]) == 2
