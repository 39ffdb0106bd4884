"""What changes the agent config for one conversation: the client's overrides (each field
allowed by ``platform_settings.overrides``) and the agent's own ``language_presets``."""

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
    """The conversation config with the client's overrides applied, or an ``override_error``.

    If the conversation's language (after the client's overrides) has a preset in the agent's
    ``language_presets``, the preset applies first: its overrides, and its translations of the
    first message and the soft-timeout message. The client's own overrides still win.
    """
    override = requested_overrides(raw_override)
    refused = forbidden_paths(override, allowed)
    if refused:
        raise ConversationError(
            "override_error",
            "Override not allowed for " + ", ".join(refused) + ": enable it in the agent's "
            "platform_settings.overrides.conversation_config_override.",
        )
    requested = deep_merge(conversation_config, override)
    language = (requested.get("agent") or {}).get("language")
    if not language or language == (conversation_config.get("agent") or {}).get("language"):
        preset = _language_preset(requested, language)  # the agent's own language
    else:
        preset = deep_merge(_voice_for(requested, language), _language_preset(requested, language))
    if not preset:
        return requested
    return deep_merge(deep_merge(conversation_config, preset), override)


def _voice_for(config: JsonObject, language: str) -> JsonObject:
    """A conversation in another language than the agent's speaks with the agent's
    ``tts.supported_voices`` entry for that language, if it has one."""
    voices = (config.get("tts") or {}).get("supported_voices") or []
    voice = next((v for v in voices if v.get("language") == language), None)
    if voice is None:
        return {}
    chosen = {"voice_id": voice["voice_id"]}
    if voice.get("speed") is not None:
        chosen["speed"] = voice["speed"]
    return {"tts": chosen}


def _language_preset(config: JsonObject, language: str | None) -> JsonObject:
    """The agent's preset for ``language`` as an override document ({} if none)."""
    preset = (config.get("language_presets") or {}).get(language) if language else None
    if not isinstance(preset, dict):
        return {}
    document = requested_overrides(preset.get("overrides"))
    first_message = (preset.get("first_message_translation") or {}).get("text")
    if first_message:
        document = deep_merge(document, {"agent": {"first_message": first_message}})
    soft_timeout = (preset.get("soft_timeout_translation") or {}).get("text")
    if soft_timeout:
        document = deep_merge(
            document, {"turn": {"soft_timeout_config": {"message": soft_timeout}}}
        )
    return document
