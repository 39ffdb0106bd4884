"""Which agent settings Parley acts on: the one table, what an agent sets in vain, the docs
generated from the table, the console's report and the log line of each conversation."""

from __future__ import annotations

import logging
import typing
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pydantic import BaseModel

from parley.agents.config import apply_defaults, validate_document
from parley.agents.liveness import SETTINGS, ignored_settings, markdown_table, setting_for
from parley.app import create_app
from parley.schemas.agent_config import BodyCreateAgentV1ConvaiAgentsCreatePost as AgentDocument
from tests.conftest import TEST_KEY, socket_test_settings
from tests.fakes.llm import FakeLLM, say

DOCS = Path(__file__).resolve().parents[2] / "docs" / "config-liveness.md"
CONFIG_ROOTS = ("conversation_config", "platform_settings", "workflow")

WEBHOOK_TOOL = {
    "type": "webhook",
    "name": "lookup_order",
    "description": "Find an order.",
    "api_schema": {"url": "https://shop.example/orders"},
}
CLIENT_TOOL = {"type": "client", "name": "get_weather", "description": "The weather."}


def ignored_paths(document: dict[str, Any]) -> list[str]:
    """The ignored paths of ``document`` as it would be stored (validated, defaults filled)."""
    stored = validate_document(apply_defaults(document))
    found = ignored_settings(
        stored["conversation_config"], stored["platform_settings"], stored.get("workflow")
    )
    return [item.path for item in found]


def prompt_agent(**prompt: Any) -> dict[str, Any]:
    return {"conversation_config": {"agent": {"prompt": {"prompt": "Be brief.", **prompt}}}}


def _model_of(annotation: Any) -> type[BaseModel] | None:
    """The model a field holds (``X | None`` unwrapped); None for values, lists and maps."""
    candidates = [annotation, *typing.get_args(annotation)]
    models = [c for c in candidates if isinstance(c, type) and issubclass(c, BaseModel)]
    return models[0] if len(models) == 1 else None


def _uncovered(model: type[BaseModel], prefix: str, rows: set[str]) -> Iterator[str]:
    for name, field in model.model_fields.items():
        path = f"{prefix}{name}"
        if path in rows:
            continue
        inner = _model_of(field.annotation)
        if inner is None or not inner.model_fields:
            yield path
        else:
            yield from _uncovered(inner, f"{path}.", rows)


def test_every_field_of_the_agent_config_has_a_row() -> None:
    """A field the spec adds must be classified (live, partly, ignored) before it ships."""
    rows = {setting.path for setting in SETTINGS}
    missing = [
        path for path in _uncovered(AgentDocument, "", rows) if path.split(".")[0] in CONFIG_ROOTS
    ]
    assert missing == []


def test_every_row_names_a_field_of_the_spec_once() -> None:
    paths = [setting.path for setting in SETTINGS]
    assert len(paths) == len(set(paths))
    for path in paths:
        model: type[BaseModel] | None = AgentDocument
        for part in path.split("."):
            assert model is not None, f"{path}: {part} is inside a value, not a model"
            assert part in model.model_fields, f"{path}: no field {part}"
            model = _model_of(model.model_fields[part].annotation)


def test_the_committed_docs_are_generated_from_the_table() -> None:
    assert DOCS.read_text(encoding="utf-8") == markdown_table(), (
        "docs/config-liveness.md is out of date: run "
        ".venv/bin/python scripts/generate_config_liveness.py"
    )


def test_a_longer_row_covers_its_part_of_a_shorter_one() -> None:
    api_version = setting_for("conversation_config.agent.prompt.custom_llm.api_version")
    custom_llm = setting_for("conversation_config.agent.prompt.custom_llm.url")
    assert api_version is not None
    assert api_version.liveness == "ignored"
    assert custom_llm is not None
    assert custom_llm.liveness == "live"
    assert setting_for("name") is None


def test_an_agent_with_only_defaults_sets_nothing_in_vain() -> None:
    assert ignored_paths({"conversation_config": {}}) == []
    assert ignored_paths(prompt_agent(prompt="You help.", temperature=0.4)) == []


def test_values_equal_to_the_defaults_are_not_reported() -> None:
    document = {
        "conversation_config": {"tts": {"stability": 0.5, "model_id": "eleven_flash_v2"}},
        "platform_settings": {
            "privacy": {"retention_days": -1, "delete_audio": False},
            "evaluation": {"criteria": []},
            "call_limits": {"bursting_enabled": False},
        },
    }
    assert ignored_paths(document) == []


def test_what_the_issue_names_is_reported() -> None:
    """Webhook tools, the knowledge base, workflows, evaluation, data collection, webhooks
    and retention settings: stored, not acted on, and now said."""
    document = prompt_agent(
        tools=[CLIENT_TOOL, WEBHOOK_TOOL],
        tool_ids=["tool_1"],
        knowledge_base=[{"type": "text", "name": "FAQ", "id": "doc_1"}],
        rag={"enabled": True},
    )
    document["platform_settings"] = {
        "evaluation": {
            "criteria": [{"id": "c1", "name": "Polite", "conversation_goal_prompt": "x"}]
        },
        "data_collection": {"city": {"type": "string", "description": "The caller's city."}},
        "workspace_overrides": {"webhooks": {"post_call_webhook_id": "wh_1"}},
        "privacy": {"retention_days": 30, "delete_transcript_and_pii": True},
    }
    document["workflow"] = {
        "nodes": {
            "start_node": {"type": "start"},
            "sales": {"type": "override_agent", "label": "Sales", "additional_prompt": "Sell."},
        },
        "edges": {
            "to_sales": {
                "source": "start_node",
                "target": "sales",
                "forward_condition": {"type": "unconditional"},
            }
        },
    }
    prompt = "conversation_config.agent.prompt."
    assert ignored_paths(document) == [
        f"{prompt}tool_ids",
        f"{prompt}knowledge_base",
        f"{prompt}rag.enabled",
        f"{prompt}tools[1]",
        "platform_settings.evaluation",
        "platform_settings.data_collection",
        "platform_settings.workspace_overrides.webhooks",
        "platform_settings.privacy.retention_days",
        "platform_settings.privacy.delete_transcript_and_pii",
        "workflow",
    ]


def test_tools_parley_runs_are_live_and_the_others_named() -> None:
    document = prompt_agent(
        tools=[
            {**CLIENT_TOOL, "tool_call_sound": "typing"},
            {"type": "system", "name": "end_call", "params": {"system_tool_type": "end_call"}},
            {
                "type": "system",
                "name": "dtmf",
                "params": {"system_tool_type": "play_keypad_touch_tone"},
            },
        ],
        built_in_tools={
            "skip_turn": {"name": "skip_turn", "params": {"system_tool_type": "skip_turn"}},
            "language_detection": {
                "name": "language_detection",
                "params": {"system_tool_type": "language_detection"},
            },
        },
    )
    prompt = "conversation_config.agent.prompt."
    stored = validate_document(apply_defaults(document))
    found = ignored_settings(stored["conversation_config"], stored["platform_settings"], None)
    assert [(item.path, item.note) for item in found] == [
        (
            f"{prompt}built_in_tools.language_detection",
            "this system tool is not run: the LLM is not offered it",
        ),
        (f"{prompt}tools[0].tool_call_sound", "not acted on for tool 'get_weather'"),
        (f"{prompt}tools[2]", "system tool 'dtmf' is not run: the LLM is not offered it"),
    ]


def test_a_workflow_of_only_start_and_end_runs_nothing_and_is_not_reported() -> None:
    document: dict[str, Any] = {
        "conversation_config": {},
        "workflow": {"nodes": {"start_node": {"type": "start"}, "end_node": {"type": "end"}}},
    }
    assert ignored_paths(document) == []


def test_the_full_agent_reports_its_ignored_settings(full_agent: dict[str, Any]) -> None:
    paths = ignored_paths(full_agent)
    assert "conversation_config.agent.prompt.knowledge_base" in paths
    assert "conversation_config.agent.prompt.tools[1]" in paths  # its webhook tool
    assert "workflow" in paths
    live = [p for p in paths if (s := setting_for(p)) is not None and s.liveness == "live"]
    assert live == []


# The console's report and the conversation's log line, in-process.


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    llm = FakeLLM([say("Hello.")])
    app = create_app(socket_test_settings(tmp_path), llm_override=llm)
    with TestClient(app, headers={"xi-api-key": TEST_KEY}) as test_client:
        yield test_client


def create(client: TestClient, document: dict[str, Any]) -> str:
    response = client.post("/v1/convai/agents/create", json=document)
    assert response.status_code == 200, response.text
    agent_id: str = response.json()["agent_id"]
    return agent_id


def test_the_console_report_lists_the_ignored_settings(client: TestClient) -> None:
    agent_id = create(
        client, prompt_agent(knowledge_base=[{"type": "url", "name": "W", "id": "d"}])
    )
    report = client.get(f"/v1/parley/agents/{agent_id}/config-report")
    assert report.status_code == 200
    assert report.json() == {
        "agent_id": agent_id,
        "ignored": [
            {
                "path": "conversation_config.agent.prompt.knowledge_base",
                "note": "no knowledge base: the documents are not used",
            }
        ],
    }
    plain = create(client, prompt_agent())
    assert client.get(f"/v1/parley/agents/{plain}/config-report").json()["ignored"] == []


def test_the_console_report_needs_the_key_and_an_agent(client: TestClient) -> None:
    missing = client.get("/v1/parley/agents/agent_nope/config-report")
    assert missing.status_code == 404
    assert missing.json()["detail"]["status"] == "agent_not_found"
    agent_id = create(client, prompt_agent())
    anonymous = client.get(
        f"/v1/parley/agents/{agent_id}/config-report", headers={"xi-api-key": ""}
    )
    assert anonymous.status_code == 401


def _ignored_lines(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [
        record.getMessage()
        for record in caplog.records
        if "does not act on" in record.getMessage() and record.levelno == logging.WARNING
    ]


def test_a_conversation_logs_once_what_its_agent_sets_in_vain(
    client: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    agent_id = create(
        client,
        {
            **prompt_agent(tools=[WEBHOOK_TOOL]),
            "platform_settings": {"privacy": {"retention_days": 7}},
        },
    )
    caplog.set_level(logging.INFO, logger="parley")
    with client.websocket_connect(f"/v1/convai/conversation?agent_id={agent_id}") as ws:
        ws.send_json({"type": "conversation_initiation_client_data"})
        metadata = ws.receive_json()
        assert metadata["type"] == "conversation_initiation_metadata"
        conversation_id = metadata["conversation_initiation_metadata_event"]["conversation_id"]
        ws.send_json({"type": "user_message", "text": "Hi"})
        while ws.receive_json()["type"] != "agent_response":
            pass
    lines = _ignored_lines(caplog)
    assert lines == [
        f"conversation {conversation_id}: agent {agent_id} sets what Parley does not act on "
        "(docs/config-liveness.md): conversation_config.agent.prompt.tools[0], "
        "platform_settings.privacy.retention_days"
    ]


def test_a_conversation_with_a_plain_agent_logs_no_such_line(
    client: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    agent_id = create(client, prompt_agent())
    caplog.set_level(logging.INFO, logger="parley")
    with client.websocket_connect(f"/v1/convai/conversation?agent_id={agent_id}") as ws:
        ws.send_json({"type": "conversation_initiation_client_data"})
        assert ws.receive_json()["type"] == "conversation_initiation_metadata"
    assert _ignored_lines(caplog) == []
