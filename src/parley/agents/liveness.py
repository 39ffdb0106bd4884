"""Which agent settings Parley acts on, and what one agent sets that Parley ignores.

Parley stores every field of the platform's agent config, so that clients round-trip it, but
it does not act on all of them yet. :data:`SETTINGS` is the one table of what is live: the
docs (``docs/config-liveness.md``, written by ``scripts/generate_config_liveness.py``), the
log line of each conversation and the console's agent page are all derived from it. A path
covers everything under it unless a longer path has its own row.

When a feature lands, change its row here and regenerate the docs (a test fails until then).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from parley.agents.defaults import (
    DEFAULT_CONVERSATION_CONFIG,
    DEFAULT_PLATFORM_SETTINGS,
    WORKFLOW_DEFAULTS,
)
from parley.engine.tools import SUPPORTED_SYSTEM_TOOLS
from parley.storage.agents import StoredAgent


class Liveness(StrEnum):
    LIVE = "live"  # Parley acts on it
    PARTLY = "partly"  # Parley acts on part of it; the note says which
    IGNORED = "ignored"  # stored and returned, but nothing happens


@dataclass(frozen=True)
class IgnoredSetting:
    """A setting one agent configures that Parley does not act on."""

    path: str  # where in the agent document, e.g. "conversation_config.agent.prompt.tools[1]"
    note: str  # what Parley does instead

    def as_json(self) -> dict[str, str]:
        return {"path": self.path, "note": self.note}


# A check finds the ignored parts of one configured value: (path suffix, note) pairs.
Check = Callable[[Any], Iterator[tuple[str, str]]]


@dataclass(frozen=True)
class Setting:
    """One row of the table.

    Without a ``check``, an ``ignored`` row is reported when the agent sets it to anything but
    its default (or an empty value); a ``partly`` row only when its ``check`` finds something.
    """

    path: str
    liveness: Liveness
    note: str = ""
    check: Check | None = None


# Tool fields Parley does not act on, for the tools it does run.
_IGNORED_TOOL_FIELDS = (
    "force_pre_tool_speech",
    "tool_call_sound",
    "tool_call_sound_behavior",
    "execution_mode",
    "dynamic_variables",
)


def _system_tool_name(tool: Mapping[str, Any]) -> str:
    params = tool.get("params") or {}
    return str(params.get("system_tool_type") or tool.get("name"))


def _check_tools(tools: Any) -> Iterator[tuple[str, str]]:
    for index, tool in enumerate(tools or ()):
        kind, name = tool.get("type"), tool.get("name")
        if kind == "system" and _system_tool_name(tool) not in SUPPORTED_SYSTEM_TOOLS:
            yield f"[{index}]", f"system tool {name!r} is not run: the LLM is not offered it"
            continue
        if kind not in ("client", "system"):
            yield f"[{index}]", f"{kind} tool {name!r} is not run: the LLM is not offered it"
            continue
        for field in _IGNORED_TOOL_FIELDS:
            if not _empty(tool.get(field)):
                yield f"[{index}].{field}", f"not acted on for tool {name!r}"


def _check_built_in_tools(tools: Any) -> Iterator[tuple[str, str]]:
    for name, config in (tools or {}).items():
        if config is not None and name not in SUPPORTED_SYSTEM_TOOLS:
            yield f".{name}", "this system tool is not run: the LLM is not offered it"


def _check_rag(rag: Any) -> Iterator[tuple[str, str]]:
    if (rag or {}).get("enabled"):
        yield ".enabled", "no retrieval: the knowledge base is not searched"


def _check_workflow(workflow: Any) -> Iterator[tuple[str, str]]:
    workflow = workflow or {}
    nodes = workflow.get("nodes") or {}
    steps = [n for n in nodes.values() if n.get("type") not in ("start", "end")]
    if workflow.get("edges") or steps:
        yield "", "the agent runs as if it had no workflow: nodes and edges are not followed"


_CC = "conversation_config."
_AGENT = _CC + "agent."
_PROMPT = _AGENT + "prompt."
_PS = "platform_settings."
LIVE, PARTLY, IGNORED = Liveness.LIVE, Liveness.PARTLY, Liveness.IGNORED
_NO_TOOLS = "not supported: put the tools in conversation_config.agent.prompt.tools"

SETTINGS: tuple[Setting, ...] = (
    Setting(_CC + "asr.quality", IGNORED, "only one value exists; Parley uses its own recogniser"),
    Setting(_CC + "asr.provider", IGNORED, "only one value exists; Parley uses its own recogniser"),
    Setting(_CC + "asr.user_input_audio_format", LIVE),
    Setting(_CC + "asr.keywords", LIVE, "hints for the recogniser (faster-whisper hotwords)"),
    Setting(_CC + "turn.turn_timeout", LIVE),
    Setting(_CC + "turn.initial_wait_time", LIVE),
    Setting(_CC + "turn.silence_end_call_timeout", LIVE),
    Setting(_CC + "turn.soft_timeout_config", LIVE, "the filler is said while the LLM is slow"),
    Setting(_CC + "turn.turn_eagerness", LIVE),
    Setting(
        _CC + "tts.model_id", IGNORED, "Parley speaks with its installed voices (tts.voice_id)"
    ),
    Setting(
        _CC + "tts.voice_id", LIVE, "an installed voice; any other speaks with the default one"
    ),
    Setting(
        _CC + "tts.supported_voices",
        PARTLY,
        "voice_id and speed of the entry for the conversation's language; the rest is not used",
    ),
    Setting(_CC + "tts.agent_output_audio_format", LIVE),
    Setting(
        _CC + "tts.optimize_streaming_latency", IGNORED, "Parley always streams as soon as it can"
    ),
    Setting(_CC + "tts.stability", IGNORED, "Parley's voices have no such setting"),
    Setting(_CC + "tts.speed", LIVE),
    Setting(_CC + "tts.similarity_boost", IGNORED, "Parley's voices have no such setting"),
    Setting(
        _CC + "tts.pronunciation_dictionary_locators", IGNORED, "no pronunciation dictionaries"
    ),
    Setting(_CC + "conversation.text_only", LIVE),
    Setting(_CC + "conversation.max_duration_seconds", LIVE),
    Setting(_CC + "conversation.client_events", LIVE),
    Setting(
        _CC + "language_presets", LIVE, "overrides and translations for a conversation's language"
    ),
    Setting(_CC + "vad", IGNORED, "the spec gives it no settings"),
    Setting(_AGENT + "first_message", LIVE),
    Setting(_AGENT + "language", LIVE, "the recogniser's language; selects a language preset"),
    Setting(_AGENT + "dynamic_variables", LIVE),
    Setting(_AGENT + "disable_first_message_interruptions", LIVE),
    Setting(_PROMPT + "prompt", LIVE),
    Setting(_PROMPT + "llm", LIVE, "names not in PARLEY_LLM_ENDPOINTS run on the embedded model"),
    Setting(_PROMPT + "reasoning_effort", IGNORED, "not passed to the model"),
    Setting(_PROMPT + "thinking_budget", IGNORED, "not passed to the model"),
    Setting(_PROMPT + "temperature", LIVE),
    Setting(_PROMPT + "max_tokens", LIVE),
    Setting(_PROMPT + "tool_ids", IGNORED, _NO_TOOLS),
    Setting(
        _PROMPT + "built_in_tools",
        PARTLY,
        "end_call and skip_turn run; the other system tools are not offered to the LLM",
        _check_built_in_tools,
    ),
    Setting(_PROMPT + "mcp_server_ids", IGNORED, "no MCP servers: their tools are not offered"),
    Setting(
        _PROMPT + "native_mcp_server_ids", IGNORED, "no MCP servers: their tools are not offered"
    ),
    Setting(_PROMPT + "knowledge_base", IGNORED, "no knowledge base: the documents are not used"),
    Setting(_PROMPT + "custom_llm", LIVE),
    Setting(_PROMPT + "custom_llm.api_version", IGNORED, "not sent to the endpoint"),
    Setting(
        _PROMPT + "ignore_default_personality",
        PARTLY,
        "Parley adds no personality to the prompt: it always behaves as if this were true",
    ),
    Setting(
        _PROMPT + "rag", IGNORED, "no retrieval: the knowledge base is not searched", _check_rag
    ),
    Setting(_PROMPT + "timezone", LIVE, "the time zone of the system__time variables"),
    Setting(_PROMPT + "backup_llm_config", LIVE),
    Setting(
        _PROMPT + "tools",
        PARTLY,
        "client tools, and the end_call and skip_turn system tools, run; webhook and other "
        "tools are not offered to the LLM; sounds, pre-tool speech and execution modes are "
        "not acted on",
        _check_tools,
    ),
    Setting(_PS + "evaluation", IGNORED, "conversations are not evaluated"),
    Setting(
        _PS + "widget",
        PARTLY,
        "served by GET /v1/convai/agents/{id}/widget; <parley-convai> draws the look, texts, "
        "transcript, text input and mute, not terms, feedback or a language selector",
    ),
    Setting(_PS + "data_collection", IGNORED, "no data is extracted from conversations"),
    Setting(_PS + "overrides.conversation_config_override", LIVE),
    Setting(_PS + "overrides.custom_llm_extra_body", LIVE),
    Setting(
        _PS + "overrides.enable_conversation_initiation_client_data_from_webhook",
        IGNORED,
        "no initiation webhook is called",
    ),
    Setting(
        _PS + "workspace_overrides.conversation_initiation_client_data_webhook",
        IGNORED,
        "no initiation webhook is called",
    ),
    Setting(_PS + "workspace_overrides.webhooks", IGNORED, "no post-call webhooks are sent"),
    Setting(_PS + "testing", IGNORED, "Parley runs no agent tests"),
    Setting(_PS + "archived", LIVE, "filters GET /v1/convai/agents?archived="),
    Setting(_PS + "auth.enable_auth", LIVE),
    Setting(_PS + "auth.allowlist", LIVE),
    Setting(_PS + "auth.shareable_token", IGNORED, "no shareable pages"),
    Setting(_PS + "auth.require_origin_header", LIVE),
    Setting(_PS + "call_limits.agent_concurrency_limit", LIVE),
    Setting(_PS + "call_limits.daily_limit", LIVE),
    Setting(
        _PS + "call_limits.bursting_enabled",
        IGNORED,
        "Parley never bursts: a call over agent_concurrency_limit is refused",
    ),
    Setting(_PS + "privacy.record_voice", LIVE),
    Setting(_PS + "privacy.retention_days", IGNORED, "conversations are kept until deleted"),
    Setting(
        _PS + "privacy.delete_transcript_and_pii", IGNORED, "transcripts are kept until deleted"
    ),
    Setting(_PS + "privacy.delete_audio", IGNORED, "recordings are kept until deleted"),
    Setting(_PS + "privacy.apply_to_existing_conversations", IGNORED, "nothing is deleted"),
    Setting(_PS + "privacy.zero_retention_mode", IGNORED, "conversations are stored as usual"),
    Setting("workflow", IGNORED, "workflows are not run", _check_workflow),
)

_DEFAULTS: dict[str, Any] = {
    "conversation_config": DEFAULT_CONVERSATION_CONFIG,
    "platform_settings": DEFAULT_PLATFORM_SETTINGS,
    "workflow": WORKFLOW_DEFAULTS,
}


def _lookup(document: Mapping[str, Any], path: str) -> Any:
    value: Any = document
    for part in path.split("."):
        if not isinstance(value, Mapping):
            return None
        value = value.get(part)
    return value


def _empty(value: Any) -> bool:
    """Nothing configured: null, false, "", or a list or object holding nothing else."""
    if isinstance(value, Mapping):
        return all(_empty(item) for item in value.values())
    return value is None or value is False or value in ("", [])


def _set_beyond_default(value: Any, path: str) -> bool:
    return not _empty(value) and value != _lookup(_DEFAULTS, path)


def ignored_settings(
    conversation_config: Mapping[str, Any],
    platform_settings: Mapping[str, Any],
    workflow: Mapping[str, Any] | None,
) -> list[IgnoredSetting]:
    """What this agent configures (beyond the defaults) that Parley does not act on."""
    document = {
        "conversation_config": conversation_config,
        "platform_settings": platform_settings,
        "workflow": workflow,
    }
    found = []
    for setting in SETTINGS:
        value = _lookup(document, setting.path)
        if setting.check is not None:
            found += [
                IgnoredSetting(setting.path + suffix, note) for suffix, note in setting.check(value)
            ]
        elif setting.liveness is IGNORED and _set_beyond_default(value, setting.path):
            found.append(IgnoredSetting(setting.path, setting.note))
    return found


def ignored_by(agent: StoredAgent) -> list[IgnoredSetting]:
    """:func:`ignored_settings` of a stored agent."""
    return ignored_settings(agent.conversation_config, agent.platform_settings, agent.workflow)


def setting_for(path: str) -> Setting | None:
    """The row that covers ``path``: its own, or the longest one above it."""
    covering = [s for s in SETTINGS if path == s.path or path.startswith(s.path + ".")]
    return max(covering, key=lambda setting: len(setting.path), default=None)


def markdown_table() -> str:
    """``docs/config-liveness.md``: the table, as the docs show it."""
    lines = [
        "# Which agent settings Parley acts on",
        "",
        "Parley stores and returns every field of the platform's agent config, but acts on only "
        "some of them. **live**: Parley acts on it; **partly**: on the part the note names; "
        "**ignored**: stored and returned, nothing happens. A path covers everything under it "
        "unless a longer path has its own row.",
        "",
        "A conversation whose agent sets an ignored field (to anything but its default) logs "
        "which, once, when it starts; the console lists them on the agent's page "
        "(`GET /v1/parley/agents/{agent_id}/config-report`).",
        "",
        "Generated from `src/parley/agents/liveness.py` by "
        "`python scripts/generate_config_liveness.py`; do not edit.",
        "",
        "| Path | Parley | Note |",
        "|---|---|---|",
    ]
    for setting in SETTINGS:
        note = setting.note.replace("|", "\\|")
        lines.append(f"| `{setting.path}` | {setting.liveness.value} | {note} |")
    return "\n".join(lines) + "\n"
