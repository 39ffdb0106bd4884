"""Everything one conversation runs on, resolved once at its start.

The agent's stored config, the client's overrides (where the agent allows them) and the
dynamic variables are merged here into a frozen :class:`SessionConfig`; the engine reads
only that.  Contract problems (a forbidden override, a missing variable) surface here as
:class:`~parley.engine.errors.ConversationError` before anything is said.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from parley.agents.defaults import DEFAULT_CLIENT_EVENTS
from parley.engine.errors import ConversationError
from parley.engine.overrides import apply_overrides
from parley.engine.tools import ToolDefinition, build_tools
from parley.engine.variables import render, system_variables
from parley.schemas.agent_config import ConversationalConfigAPIModelInput as ConversationalConfig
from parley.schemas.agent_config import PromptAgentAPIModelInput
from parley.schemas.events import ConversationInitiationClientData
from parley.storage.agents import StoredAgent


@dataclass(frozen=True)
class TurnSettings:
    turn_timeout: float
    initial_wait_time: float | None
    silence_end_call_timeout: float
    soft_timeout_seconds: float
    soft_timeout_message: str
    eagerness: str


@dataclass(frozen=True)
class SessionConfig:
    conversation_id: str
    agent_id: str
    config: ConversationalConfig  # the effective config, overrides applied
    prompt: PromptAgentAPIModelInput
    system_prompt: str
    first_message: str
    language: str
    text_only: bool
    client_events: frozenset[str]
    input_format: str
    output_format: str
    max_duration_seconds: float
    turn: TurnSettings
    variables: dict[str, Any]
    tools: tuple[ToolDefinition, ...]
    temperature: float | None
    max_tokens: int | None
    custom_llm_extra_body: dict[str, Any]
    user_id: str | None
    disable_first_message_interruptions: bool
    record_voice: bool = True  # platform_settings.privacy.record_voice

    def tool(self, name: str) -> ToolDefinition | None:
        return next((tool for tool in self.tools if tool.name == name), None)


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
        turn_timeout=float(turn.turn_timeout if turn and turn.turn_timeout is not None else 7.0),
        initial_wait_time=turn.initial_wait_time if turn else None,
        silence_end_call_timeout=float(
            turn.silence_end_call_timeout
            if turn and turn.silence_end_call_timeout is not None
            else -1.0
        ),
        soft_timeout_seconds=float(
            soft.timeout_seconds if soft and soft.timeout_seconds is not None else -1.0
        ),
        soft_timeout_message=(soft.message if soft and soft.message else "") or "",
        eagerness=str(turn.turn_eagerness if turn and turn.turn_eagerness else "normal"),
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


def resolve_session(
    agent: StoredAgent,
    init: ConversationInitiationClientData | None,
    conversation_id: str,
    now: float,
) -> SessionConfig:
    """Merge agent config, overrides and variables; raise on any contract problem."""
    config = _effective_config(agent, init)
    extra_body = _extra_body(agent, init)
    variables = _variables(agent, config, init, conversation_id, now)
    agent_config = config.agent
    prompt = (agent_config.prompt if agent_config else None) or PromptAgentAPIModelInput()
    conversation = config.conversation
    client_events = (
        conversation.client_events
        if conversation and conversation.client_events is not None
        else DEFAULT_CLIENT_EVENTS
    )
    max_tokens = prompt.max_tokens if prompt.max_tokens and prompt.max_tokens > 0 else None
    return SessionConfig(
        conversation_id=conversation_id,
        agent_id=agent.agent_id,
        config=config,
        prompt=prompt,
        system_prompt=render(prompt.prompt or "", variables),
        first_message=render((agent_config.first_message if agent_config else "") or "", variables),
        language=(agent_config.language if agent_config else None) or "en",
        text_only=bool(conversation and conversation.text_only),
        client_events=frozenset(client_events),
        input_format=str((config.asr and config.asr.user_input_audio_format) or "pcm_16000"),
        output_format=str((config.tts and config.tts.agent_output_audio_format) or "pcm_16000"),
        max_duration_seconds=float(
            (conversation.max_duration_seconds if conversation else None) or 600
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
    )
