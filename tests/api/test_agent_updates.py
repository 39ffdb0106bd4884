"""PATCH semantics in-process: absent keeps, objects merge, lists replace, null resets."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

from fastapi.testclient import TestClient


def create(client: TestClient, body: dict[str, Any]) -> str:
    response = client.post("/v1/convai/agents/create", json=body)
    assert response.status_code == 200, response.text
    agent_id: str = response.json()["agent_id"]
    return agent_id


def patch(client: TestClient, agent_id: str, body: dict[str, Any]) -> dict[str, Any]:
    response = client.patch(f"/v1/convai/agents/{agent_id}", json=body)
    assert response.status_code == 200, response.text
    agent: dict[str, Any] = response.json()
    assert client.get(f"/v1/convai/agents/{agent_id}").json() == agent
    return agent


def test_null_resets_a_field_to_its_default(client: TestClient) -> None:
    agent_id = create(
        client,
        {"conversation_config": {"tts": {"voice_id": "joe", "speed": 1.2}}, "name": "N"},
    )
    agent = patch(
        client, agent_id, {"conversation_config": {"tts": {"voice_id": None}}, "name": None}
    )
    assert agent["conversation_config"]["tts"]["voice_id"] == "cjVigY5qzO86Huf0OWal"
    assert agent["conversation_config"]["tts"]["speed"] == 1.2
    assert agent["name"] == ""


def test_lists_replace_and_empty_patch_changes_nothing_but_the_time(client: TestClient) -> None:
    agent_id = create(
        client, {"conversation_config": {"asr": {"keywords": ["a", "b"]}}, "tags": ["x", "y"]}
    )
    agent = patch(client, agent_id, {"conversation_config": {"asr": {"keywords": ["c"]}}})
    assert agent["conversation_config"]["asr"]["keywords"] == ["c"]
    assert agent["tags"] == ["x", "y"]
    unchanged = patch(client, agent_id, {})
    assert unchanged["conversation_config"] == agent["conversation_config"]
    assert (
        unchanged["metadata"]["created_at_unix_secs"] == agent["metadata"]["created_at_unix_secs"]
    )


def test_whole_section_null_restores_all_its_defaults(client: TestClient) -> None:
    agent_id = create(client, {"conversation_config": {"turn": {"turn_eagerness": "eager"}}})
    agent = patch(client, agent_id, {"conversation_config": None})
    assert agent["conversation_config"]["turn"]["turn_eagerness"] == "normal"


def test_duplicate_takes_a_name(client: TestClient) -> None:
    agent_id = create(client, {"conversation_config": {}, "name": "Original"})
    response = client.post(f"/v1/convai/agents/{agent_id}/duplicate", json={"name": "Twin"})
    copy_id = response.json()["agent_id"]
    assert client.get(f"/v1/convai/agents/{copy_id}").json()["name"] == "Twin"


def test_concurrent_patches_of_different_fields_all_land(client: TestClient) -> None:
    agent_id = create(client, {"conversation_config": {}})
    bodies: list[dict[str, Any]] = [
        {"conversation_config": {"agent": {"first_message": "hi"}}},
        {"conversation_config": {"agent": {"language": "de"}}},
        {"conversation_config": {"tts": {"speed": 1.1}}},
        {"conversation_config": {"asr": {"keywords": ["k"]}}},
        {"conversation_config": {"turn": {"turn_timeout": 3.0}}},
        {"name": "N"},
    ]
    url = f"/v1/convai/agents/{agent_id}"
    with ThreadPoolExecutor(max_workers=len(bodies)) as pool:
        statuses = list(pool.map(lambda body: client.patch(url, json=body).status_code, bodies))
    assert statuses == [200] * len(bodies)
    agent = client.get(url).json()
    config = agent["conversation_config"]
    assert (config["agent"]["first_message"], config["agent"]["language"]) == ("hi", "de")
    assert (config["tts"]["speed"], config["asr"]["keywords"]) == (1.1, ["k"])
    assert (config["turn"]["turn_timeout"], agent["name"]) == (3.0, "N")
