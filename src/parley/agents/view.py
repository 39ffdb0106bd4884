"""Resolving what one conversation runs on, once, at its start.

The agent's stored config, the client's overrides (where the agent allows them), the dynamic
variables and the defaults (:mod:`parley.agents.defaults`, the only place they live) are merged
here into the engine's frozen :class:`~parley.engine.view.AgentView`. Contract problems (a
forbidden override, a missing variable) surface here as
:class:`~parley.engine.errors.ConversationError` before anything is said.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from parley.agents.defaults import DEFAULT_CONVERSATION_CONFIG
from parley.agents.overrides import apply_overrides
from parley.agents.tools import build_tools
from parley.agents.variables import render, system_variables
from parley.engine.errors import ConversationError
from parley.engine.view import AgentView, TurnSettings
from parley.schemas.agent_config import ConversationalConfigAPIModelInput as ConversationalConfig
from parley.schemas.agent_config import PromptAgentAPIModelInput
from parley.schemas.events import ConversationInitiationClientData
from parley.storage.agents import StoredAgent


@dataclass(frozen=True)
class ResolvedAgent:
    """The engine's view, and the parts of the config the application layer still needs
    (choosing the LLM reads the prompt's ``llm``, ``custom_llm`` and backups)."""

    view: AgentView
    config: ConversationalConfig  # the effective config, overrides applied
    prompt: PromptAgentAPIModelInput


def default(path: str) -> Any:
    """The default of a ``conversation_config`` field, e.g. ``default("turn.turn_timeout")``."""
    value: Any = DEFAULT_CONVERSATION_CONFIG
    for part in path.split("."):
        value = value[part]
    return value


def _or_default(value: Any, path: str) -> Any:
    return default(path) if value is None else value


def _effective_config(agent: StoredAgent, init: ConversationInitiationClientData | None) -> Any:
    overrides = agent.platform_settings.get("overrides") or {}
    allowed = overrides.get("conversation_config_override") or {}
    raw = init.conversation_config_override if init else None
    merged = apply_overrides(agent.conversation_config, raw, allowed)
    try:
        return ConversationalConfig.model_validate(merged)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        raise ConversationError(
            "override_error", f"Invalid override {where}: {first['msg']}"
        ) from error


def _extra_body(
    agent: StoredAgent, init: ConversationInitiationClientData | None
) -> dict[str, Any]:
    body = dict(init.custom_llm_extra_body or {}) if init else {}
    allowed = (agent.platform_settings.get("overrides") or {}).get("custom_llm_extra_body")
    if body and not allowed:
        raise ConversationError(
            "override_error",
            "custom_llm_extra_body is not allowed: enable platform_settings.overrides."
            "custom_llm_extra_body on the agent.",
        )
    return body


def _turn_settings(config: ConversationalConfig) -> TurnSettings:
    turn = config.turn
    soft = turn.soft_timeout_config if turn else None
    return TurnSettings(
        turn_timeout=float(_or_default(turn and turn.turn_timeout, "turn.turn_timeout")),
        initial_wait_time=turn.initial_wait_time if turn else None,
        silence_end_call_timeout=float(
            _or_default(turn and turn.silence_end_call_timeout, "turn.silence_end_call_timeout")
        ),
        soft_timeout_seconds=float(
            _or_default(soft and soft.timeout_seconds, "turn.soft_timeout_config.timeout_seconds")
        ),
        soft_timeout_message=(soft.message if soft and soft.message else "") or "",
        eagerness=str(_or_default(turn and turn.turn_eagerness, "turn.turn_eagerness")),
    )


def _variables(
    agent: StoredAgent,
    config: ConversationalConfig,
    init: ConversationInitiationClientData | None,
    conversation_id: str,
    now: float,
) -> dict[str, Any]:
    agent_config = config.agent
    placeholders = (
        agent_config.dynamic_variables.dynamic_variable_placeholders
        if agent_config and agent_config.dynamic_variables
        else None
    )
    prompt = agent_config.prompt if agent_config else None
    variables: dict[str, Any] = dict(placeholders or {})
    variables.update((init.dynamic_variables or {}) if init else {})
    variables.update(
        system_variables(
            agent_id=agent.agent_id,
            conversation_id=conversation_id,
            started_at=now,
            now=now,
            timezone=prompt.timezone if prompt else None,
        )
    )
    return variables


def resolve_agent(
    agent: StoredAgent,
    init: ConversationInitiationClientData | None,
    conversation_id: str,
    now: float,
) -> ResolvedAgent:
    """Merge agent config, overrides, variables and defaults; raise on a contract problem."""
    config = _effective_config(agent, init)
    extra_body = _extra_body(agent, init)
    variables = _variables(agent, config, init, conversation_id, now)
    agent_config = config.agent
    prompt = (agent_config.prompt if agent_config else None) or PromptAgentAPIModelInput()
    conversation, asr, tts = config.conversation, config.asr, config.tts
    client_events = _or_default(
        conversation and conversation.client_events, "conversation.client_events"
    )
    max_tokens = prompt.max_tokens if prompt.max_tokens and prompt.max_tokens > 0 else None
    view = AgentView(
        conversation_id=conversation_id,
        agent_id=agent.agent_id,
        system_prompt=render(prompt.prompt or "", variables),
        first_message=render((agent_config.first_message if agent_config else "") or "", variables),
        language=(agent_config.language if agent_config else None) or default("agent.language"),
        text_only=bool(conversation and conversation.text_only),
        client_events=frozenset(client_events),
        input_format=str(
            (asr and asr.user_input_audio_format) or default("asr.user_input_audio_format")
        ),
        output_format=str(
            (tts and tts.agent_output_audio_format) or default("tts.agent_output_audio_format")
        ),
        max_duration_seconds=float(
            (conversation and conversation.max_duration_seconds)
            or default("conversation.max_duration_seconds")
        ),
        turn=_turn_settings(config),
        variables=variables,
        tools=build_tools(prompt),
        temperature=prompt.temperature,
        max_tokens=max_tokens,
        custom_llm_extra_body=extra_body,
        user_id=init.user_id if init else None,
        disable_first_message_interruptions=bool(
            agent_config and agent_config.disable_first_message_interruptions
        ),
        record_voice=(agent.platform_settings.get("privacy") or {}).get("record_voice")
        is not False,
        asr_keywords=tuple(asr.keywords or ()) if asr else (),
        voice_id=(tts.voice_id if tts and tts.voice_id else None),
        voice_speed=float((tts and tts.speed) or default("tts.speed")),
    )
    return ResolvedAgent(view=view, config=config, prompt=prompt)
