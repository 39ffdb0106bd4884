"""Agent documents: merging, defaults and validation, without a server."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from parley.agents.config import apply_defaults, deep_merge, present_workflow, validate_document
from parley.agents.defaults import DEFAULT_CONVERSATION_CONFIG, DEFAULT_PLATFORM_SETTINGS


def test_deep_merge_merges_objects_and_replaces_the_rest() -> None:
    base = {"a": {"b": 1, "c": [1, 2]}, "keep": True, "drop": 5}
    patch = {"a": {"c": [3]}, "drop": None, "new": {"x": 1}}
    assert deep_merge(base, patch) == {"a": {"b": 1, "c": [3]}, "keep": True, "new": {"x": 1}}
    assert base == {"a": {"b": 1, "c": [1, 2]}, "keep": True, "drop": 5}, "inputs are untouched"


def test_defaults_are_themselves_a_valid_agent() -> None:
    document = apply_defaults({"conversation_config": {}})
    assert validate_document(document) == document
    assert document["conversation_config"] == DEFAULT_CONVERSATION_CONFIG
    assert document["platform_settings"] == DEFAULT_PLATFORM_SETTINGS


def test_given_values_win_over_defaults() -> None:
    document = apply_defaults(
        {"conversation_config": {"tts": {"voice_id": "joe"}}, "name": "N", "tags": ["t"]}
    )
    assert document["conversation_config"]["tts"]["voice_id"] == "joe"
    assert document["conversation_config"]["tts"]["stability"] == 0.5
    assert (document["name"], document["tags"]) == ("N", ["t"])


def test_validation_keeps_exactly_what_was_sent(full_agent: dict[str, Any]) -> None:
    assert validate_document(full_agent) == full_agent


def test_spec_string_for_streaming_latency_is_stored_as_a_number() -> None:
    document = {"conversation_config": {"tts": {"optimize_streaming_latency": "2"}}}
    assert validate_document(document)["conversation_config"]["tts"] == {
        "optimize_streaming_latency": 2
    }
    with pytest.raises(ValidationError):
        validate_document({"conversation_config": {"tts": {"optimize_streaming_latency": 9}}})


def test_unknown_fields_are_dropped_as_the_platform_does() -> None:
    document = {"conversation_config": {"agent": {"first_message": "Hi", "frist_message": "x"}}}
    assert validate_document(document) == {
        "conversation_config": {"agent": {"first_message": "Hi"}}
    }


def test_workflow_nodes_are_shown_with_their_type_defaults() -> None:
    shown = present_workflow(
        {"nodes": {"s": {"type": "start", "position": {"x": 5}}, "e": {"type": "end"}}}
    )
    assert shown["prevent_subagent_loops"] is False
    assert shown["edges"] == {}
    assert shown["nodes"]["s"] == {
        "type": "start",
        "position": {"x": 5, "y": 0.0},
        "edge_order": [],
    }
    assert shown["nodes"]["e"]["outcome"] == "success"
