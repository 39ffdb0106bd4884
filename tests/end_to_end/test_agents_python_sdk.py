"""The agents REST API driven by the official Python SDK against a real server."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from elevenlabs import ElevenLabs
from elevenlabs.core import ApiError

from tests.conftest import TEST_KEY
from tests.servers import ServerProcess

NO_RETRIES: Any = {"max_retries": 0}
SdkFactory = Callable[..., ElevenLabs]


@pytest.fixture
def sdk() -> Iterator[Callable[[ServerProcess], ElevenLabs]]:
    """Makes official SDK clients for a server, closing their connections afterwards."""
    connections: list[httpx.Client] = []

    def make(server: ServerProcess, api_key: str = TEST_KEY) -> ElevenLabs:
        connections.append(httpx.Client(timeout=30))
        return ElevenLabs(base_url=server.base_url, api_key=api_key, httpx_client=connections[-1])

    yield make
    for connection in connections:
        connection.close()


def assert_contains(actual: Any, expected: Any, path: str = "") -> None:
    """Every value of ``expected`` is in ``actual`` unchanged (``actual`` may add defaults)."""
    if isinstance(expected, dict):
        assert isinstance(actual, dict), f"{path}: expected an object, got {actual!r}"
        for key, value in expected.items():
            assert key in actual, f"{path}.{key} is missing"
            assert_contains(actual[key], value, f"{path}.{key}")
    elif isinstance(expected, list):
        assert isinstance(actual, list), f"{path}: expected a list, got {actual!r}"
        assert len(actual) == len(expected), f"{path}: {len(actual)} items, not {len(expected)}"
        for index, (got, want) in enumerate(zip(actual, expected, strict=True)):
            assert_contains(got, want, f"{path}[{index}]")
    else:
        assert actual == expected, f"{path}: {actual!r} != {expected!r}"


def fetch(server: ServerProcess, agent_id: str) -> dict[str, Any]:
    """GET the agent's exact JSON (the SDK's parser retypes some fields, e.g. "4" to 4)."""
    response = httpx.get(
        f"{server.base_url}/v1/convai/agents/{agent_id}", headers={"xi-api-key": TEST_KEY}
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def test_full_config_round_trips_through_get_list_patch_and_restart(
    server: ServerProcess, sdk: SdkFactory, full_agent: dict[str, Any]
) -> None:
    client = sdk(server)
    created = client.conversational_ai.agents.create(**full_agent)
    assert created.agent_id
    assert created.agent_id.startswith("agent_")

    typed = client.conversational_ai.agents.get(created.agent_id)
    assert typed.agent_id == created.agent_id
    assert typed.conversation_config.agent is not None
    assert typed.conversation_config.agent.first_message == "Hi {{user_name}}, how can I help?"
    got = fetch(server, created.agent_id)
    assert got["agent_id"] == created.agent_id
    for section in ("conversation_config", "platform_settings", "workflow", "name", "tags"):
        assert_contains(got[section], full_agent[section], section)
    assert got["metadata"]["created_at_unix_secs"] > 0

    listed = client.conversational_ai.agents.list(search="full-config")
    assert [a.agent_id for a in listed.agents] == [created.agent_id]
    assert listed.has_more is False

    updated = client.conversational_ai.agents.update(created.agent_id, name="Renamed")
    assert updated.name == "Renamed"
    after_patch = fetch(server, created.agent_id)
    full_agent["name"] = "Renamed"
    for section in ("conversation_config", "platform_settings", "workflow", "name", "tags"):
        assert_contains(after_patch[section], full_agent[section], section)

    server.restart()
    client = sdk(server)
    after_restart = fetch(server, created.agent_id)
    assert after_restart == after_patch
    assert [a.agent_id for a in client.conversational_ai.agents.list().agents] == [created.agent_id]


def test_get_fills_in_platform_defaults(server: ServerProcess, sdk: SdkFactory) -> None:
    client = sdk(server)
    created = client.conversational_ai.agents.create(
        conversation_config={"agent": {"first_message": "Hello"}}
    )
    agent = client.conversational_ai.agents.get(created.agent_id)
    assert agent.name == ""
    assert agent.tags == []
    config = agent.conversation_config
    assert config.agent is not None
    assert config.agent.first_message == "Hello"
    assert config.agent.language == "en"
    assert config.asr is not None
    assert config.asr.user_input_audio_format == "pcm_16000"
    assert config.tts is not None
    assert config.tts.agent_output_audio_format == "pcm_16000"
    assert config.turn is not None
    assert config.turn.turn_timeout == 7.0
    assert config.conversation is not None
    assert config.conversation.text_only is False
    assert agent.platform_settings is not None
    assert agent.platform_settings.auth is not None
    assert agent.platform_settings.auth.enable_auth is False


def test_partial_update_keeps_absent_fields(server: ServerProcess, sdk: SdkFactory) -> None:
    client = sdk(server)
    created = client.conversational_ai.agents.create(
        name="Patchy",
        tags=["a"],
        conversation_config={
            "agent": {"first_message": "Hi", "prompt": {"prompt": "Be nice.", "temperature": 0.5}},
            "tts": {"voice_id": "joe"},
        },
    )
    client.conversational_ai.agents.update(
        created.agent_id, conversation_config={"agent": {"prompt": {"prompt": "Be brief."}}}
    )
    got = fetch(server, created.agent_id)
    prompt = got["conversation_config"]["agent"]["prompt"]
    assert prompt["prompt"] == "Be brief."
    assert prompt["temperature"] == 0.5
    assert got["conversation_config"]["agent"]["first_message"] == "Hi"
    assert got["conversation_config"]["tts"]["voice_id"] == "joe"
    assert got["name"] == "Patchy"
    assert got["tags"] == ["a"]
    assert got["metadata"]["updated_at_unix_secs"] >= got["metadata"]["created_at_unix_secs"]


def test_duplicate_and_delete(server: ServerProcess, sdk: SdkFactory) -> None:
    client = sdk(server)
    original = client.conversational_ai.agents.create(
        name="Original", conversation_config={"agent": {"first_message": "Hey"}}
    )
    duplicate = client.conversational_ai.agents.duplicate(original.agent_id)
    assert duplicate.agent_id != original.agent_id
    copy = fetch(server, duplicate.agent_id)
    source = fetch(server, original.agent_id)
    assert copy["name"] == "Original (copy)"
    assert copy["conversation_config"] == source["conversation_config"]
    assert copy["platform_settings"] == source["platform_settings"]

    client.conversational_ai.agents.delete(original.agent_id)
    with pytest.raises(ApiError) as missing:
        client.conversational_ai.agents.get(original.agent_id, request_options=NO_RETRIES)
    assert missing.value.status_code == 404
    remaining = [a.agent_id for a in client.conversational_ai.agents.list().agents]
    assert remaining == [duplicate.agent_id]


def test_list_pages_with_cursor(server: ServerProcess, sdk: SdkFactory) -> None:
    client = sdk(server)
    ids = [
        client.conversational_ai.agents.create(name=f"agent {n}", conversation_config={}).agent_id
        for n in range(5)
    ]
    seen: list[str] = []
    cursor = None
    while True:
        page = client.conversational_ai.agents.list(page_size=2, cursor=cursor)
        seen += [a.agent_id for a in page.agents]
        if not page.has_more:
            assert page.next_cursor is None
            break
        cursor = page.next_cursor
    assert seen == list(reversed(ids)), "newest first, each agent exactly once"


def test_sdk_sees_validation_and_auth_errors(server: ServerProcess, sdk: SdkFactory) -> None:
    client = sdk(server)
    with pytest.raises(ApiError) as invalid:
        client.conversational_ai.agents.create(
            conversation_config={"asr": {"user_input_audio_format": "mp3_44100"}},
            request_options=NO_RETRIES,
        )
    assert invalid.value.status_code == 422
    wrong_key = sdk(server, "sk_wrong")
    with pytest.raises(ApiError) as unauthorised:
        wrong_key.conversational_ai.agents.list(request_options=NO_RETRIES)
    assert unauthorised.value.status_code == 401
