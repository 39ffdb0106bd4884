"""Client overrides of the agent config, each field allowed by ``platform_settings.overrides``."""

from __future__ import annotations

from typing import Any

from parley.agents.config import JsonObject, deep_merge
from parley.engine.errors import ConversationError


def _without_nulls(value: Any) -> Any:
    """Overrides with ``null`` mean "not overridden" (the JS SDK sends empty members)."""
    if isinstance(value, dict):
        cleaned = {k: _without_nulls(v) for k, v in value.items() if v is not None}
        return {k: v for k, v in cleaned.items() if v != {}}
    return value


def requested_overrides(raw: JsonObject | None) -> JsonObject:
    """The override document, normalised: the Python SDK's top-level ``text_only`` moves to
    ``conversation.text_only`` (where the JS SDK and the AsyncAPI put it), nulls drop out."""
    override = dict(raw or {})
    if "text_only" in override:
        text_only = override.pop("text_only")
        conversation = dict(override.get("conversation") or {})
        conversation.setdefault("text_only", text_only)
        override["conversation"] = conversation
    cleaned: JsonObject = _without_nulls(override)
    return cleaned


def forbidden_paths(override: JsonObject, allowed: JsonObject, prefix: str = "") -> list[str]:
    """Dotted paths in ``override`` whose flag in ``allowed`` is not ``true``."""
    paths = []
    for key, value in override.items():
        path = f"{prefix}{key}"
        flag = allowed.get(key) if isinstance(allowed, dict) else None
        if isinstance(value, dict) and isinstance(flag, dict):
            paths += forbidden_paths(value, flag, f"{path}.")
        elif flag is not True:
            paths.append(path)
    return paths


def apply_overrides(
    conversation_config: JsonObject, raw_override: JsonObject | None, allowed: JsonObject
) -> JsonObject:
    """The conversation config with the client's overrides applied, or an ``override_error``."""
    override = requested_overrides(raw_override)
    refused = forbidden_paths(override, allowed)
    if refused:
        raise ConversationError(
            "override_error",
            "Override not allowed for " + ", ".join(refused) + ": enable it in the agent's "
            "platform_settings.overrides.conversation_config_override.",
        )
    return deep_merge(conversation_config, override)
