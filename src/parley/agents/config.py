"""Turn request bodies into stored agent configs.

An agent document is the JSON object the REST API speaks: ``conversation_config``,
``platform_settings``, ``workflow``, ``name`` and ``tags``.  It is validated against the spec's
types, stored with the platform defaults filled in, and merged field by field on PATCH.
"""

from __future__ import annotations

import copy
from typing import Any

from pydantic import BaseModel

from parley.agents.defaults import (
    DEFAULT_CONVERSATION_CONFIG,
    DEFAULT_PLATFORM_SETTINGS,
    WORKFLOW_COMMON_NODE_DEFAULTS,
    WORKFLOW_DEFAULTS,
    WORKFLOW_NODE_DEFAULTS,
)
from parley.schemas.agent_config import BodyCreateAgentV1ConvaiAgentsCreatePost as AgentDocument

JsonObject = dict[str, Any]

__all__ = [
    "AgentDocument",
    "JsonObject",
    "apply_defaults",
    "deep_merge",
    "dropped_fields",
    "present_workflow",
    "validate_document",
]


def deep_merge(base: JsonObject, patch: JsonObject) -> JsonObject:
    """Return ``base`` updated by ``patch``: objects merge key by key, anything else replaces.

    A key absent from ``patch`` keeps its value; an explicit ``null`` clears it (and
    :func:`apply_defaults` then restores the default, if the field has one).
    """
    merged = copy.deepcopy(base)
    for key, value in patch.items():
        current = merged.get(key)
        if isinstance(value, dict) and isinstance(current, dict):
            merged[key] = deep_merge(current, value)
        elif value is None:
            merged.pop(key, None)
        else:
            merged[key] = copy.deepcopy(value)
    return merged


def apply_defaults(document: JsonObject) -> JsonObject:
    """Fill every field the platform defaults with its default, keeping what was given."""
    filled = dict(document)
    filled["conversation_config"] = deep_merge(
        DEFAULT_CONVERSATION_CONFIG, document.get("conversation_config") or {}
    )
    filled["platform_settings"] = deep_merge(
        DEFAULT_PLATFORM_SETTINGS, document.get("platform_settings") or {}
    )
    filled["name"] = document.get("name") or ""
    filled["tags"] = document.get("tags") or []
    return filled


def to_json(model: BaseModel) -> JsonObject:
    """The fields a client actually sent, as plain JSON (no invented nulls)."""
    return model.model_dump(mode="json", by_alias=True, exclude_unset=True)


def validate_document(document: JsonObject) -> JsonObject:
    """Validate a whole agent document and return it as the JSON that will be stored.

    Raises :class:`pydantic.ValidationError` naming each bad field's path.
    """
    return to_json(AgentDocument.model_validate(document))


def dropped_fields(given: Any, kept: Any, path: str = "") -> list[str]:
    """Paths of the keys in ``given`` that validation left out of ``kept``.

    The platform accepts unknown (often misspelt) fields and drops them without a word;
    Parley drops them too, but says which: ``["conversation_config.agent.firstmessage"]``.
    List items are named by index (``tools[0].nmae``); a key sent as ``null`` is no loss.
    """
    if isinstance(given, dict) and isinstance(kept, dict):
        dropped = []
        for key, value in given.items():
            where = f"{path}.{key}" if path else str(key)
            if key not in kept:
                if value is not None:
                    dropped.append(where)
            else:
                dropped += dropped_fields(value, kept[key], where)
        return dropped
    if isinstance(given, list) and isinstance(kept, list):
        return [
            found
            for index, (item, stored) in enumerate(zip(given, kept, strict=False))
            for found in dropped_fields(item, stored, f"{path}[{index}]")
        ]
    return []


def present_workflow(workflow: JsonObject) -> JsonObject:
    """A stored workflow as the platform shows it: every node with its type's defaults."""
    shown = deep_merge(WORKFLOW_DEFAULTS, workflow)
    shown["nodes"] = {
        node_id: deep_merge(
            deep_merge(WORKFLOW_COMMON_NODE_DEFAULTS, WORKFLOW_NODE_DEFAULTS.get(node["type"], {})),
            node,
        )
        for node_id, node in shown["nodes"].items()
    }
    return shown
