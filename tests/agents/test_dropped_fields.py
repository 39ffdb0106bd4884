"""Misspelt agent fields: dropped as the platform drops them, but named (log and header)."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

import httpx
import pytest
from elevenlabs import ElevenLabs
from elevenlabs.types import GetAgentResponseModel
from fastapi.testclient import TestClient

from parley.agents.config import dropped_fields
from parley.app import create_app
from tests.conftest import TEST_KEY, in_process_settings
from tests.servers import ServerProcess

HEADER = "x-parley-dropped-fields"


def test_dropped_fields_names_each_unknown_key_by_its_path() -> None:
    given = {
        "nmae": "x",
        "conversation_config": {
            "agent": {"firstmessage": "Hi", "prompt": {"temprature": 0.2, "prompt": "p"}},
            "tts": None,
        },
        "tools": [{"name": "a"}, {"name": "b", "descripton": "d"}],
        "cleared": None,
    }
    kept = {
        "conversation_config": {"agent": {"prompt": {"prompt": "p"}}},
        "tools": [{"name": "a"}, {"name": "b"}],
    }
    assert dropped_fields(given, kept) == [
        "nmae",
        "conversation_config.agent.firstmessage",
        "conversation_config.agent.prompt.temprature",
        "tools[1].descripton",
    ]
    assert dropped_fields(kept, kept) == []


def _sdk(server: ServerProcess, http: httpx.Client) -> ElevenLabs:
    return ElevenLabs(base_url=server.base_url, api_key=TEST_KEY, httpx_client=http)


def _raw_agent(server: ServerProcess, agent_id: str) -> dict[str, Any]:
    response = httpx.get(
        f"{server.base_url}/v1/convai/agents/{agent_id}", headers={"xi-api-key": TEST_KEY}
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def test_the_sdk_saves_an_agent_with_misspelt_fields_and_hears_what_was_dropped(
    server: ServerProcess,
) -> None:
    with httpx.Client(timeout=30) as http:
        agents = _sdk(server, http).conversational_ai.agents
        created = agents.with_raw_response.create(
            name="Typos",
            conversation_config={
                "agent": {
                    "firstmessage": "Hello!",
                    "prompt": {"prompt": "Be brief.", "temprature": 0.7},
                }
            },
        )
        assert json.loads(created.headers[HEADER]) == [
            "conversation_config.agent.firstmessage",
            "conversation_config.agent.prompt.temprature",
        ]
        agent_id = created.data.agent_id
        stored = _raw_agent(server, agent_id)
        agent = stored["conversation_config"]["agent"]
        assert "firstmessage" not in agent
        assert agent["first_message"] == ""
        assert "temprature" not in agent["prompt"]
        assert agent["prompt"]["temperature"] == 0.0

        updated = agents.with_raw_response.update(
            agent_id,
            conversation_config={"agent": {"first_message": "Hi.", "langauge": "de"}},
            request_options={"additional_body_parameters": {"nmae": "Renamed"}},
        )
        assert json.loads(updated.headers[HEADER]) == [
            "conversation_config.agent.langauge",
            "nmae",
        ]
        assert isinstance(updated.data, GetAgentResponseModel)  # the platform's shape
        assert updated.data.agent_id == agent_id
        assert updated.data.name == "Typos"
        assert updated.data.conversation_config.agent is not None
        assert updated.data.conversation_config.agent.first_message == "Hi."
        assert updated.data.conversation_config.agent.language == "en"

        clean = agents.with_raw_response.update(agent_id, name="Typos fixed")
        assert HEADER not in clean.headers
        assert agents.get(agent_id).name == "Typos fixed"


def test_dropped_fields_are_logged_with_the_agent_id(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    settings = in_process_settings(tmp_path, preload_models=False)
    caplog.set_level(logging.INFO, logger="parley")
    with TestClient(create_app(settings), headers={"xi-api-key": TEST_KEY}) as client:
        response = client.post(
            "/v1/convai/agents/create",
            json={"conversation_config": {"turn": {"turn_timout": 3}}},
        )
        assert response.status_code == 200, response.text
        agent_id = response.json()["agent_id"]
        assert set(response.json()) == {"agent_id"}  # the body keeps the platform's shape
        plain = client.post("/v1/convai/agents/create", json={"conversation_config": {}})
        assert HEADER not in plain.headers
    lines = [r.getMessage() for r in caplog.records if "unknown field" in r.getMessage()]
    assert lines == [
        f"agent {agent_id}: dropped 1 unknown field(s) (misspelt?): "
        "conversation_config.turn.turn_timout"
    ]
    warnings = [r for r in caplog.records if "unknown field" in r.getMessage()]
    assert warnings[0].levelno == logging.WARNING


def test_a_body_full_of_unknown_fields_gets_a_bounded_header(tmp_path: Path) -> None:
    settings = in_process_settings(tmp_path, preload_models=False)
    unknown = {f"field_{index}_" + "x" * 300: index for index in range(500)}
    with TestClient(create_app(settings), headers={"xi-api-key": TEST_KEY}) as client:
        response = client.post(
            "/v1/convai/agents/create", json={"conversation_config": {"agent": unknown}}
        )
    assert response.status_code == 200, response.text
    named = json.loads(response.headers[HEADER])
    assert len(named) == 20
    assert all(len(path) <= 120 for path in named)
    assert named[0].startswith("conversation_config.agent.field_0_")
