"""The agent as one conversation sees it: resolved once, frozen, swappable between turns.

The application layer (:mod:`parley.agents.view`) builds an :class:`AgentView` from the stored
agent, the client's overrides, the dynamic variables and the defaults; the engine reads only
this. A workflow node, a transfer to another agent or a language switch gives the
conversation a new view (:meth:`parley.engine.conversation.Conversation.swap_view`), which
the next turn reads.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from parley.engine.tools import ToolDefinition


@dataclass(frozen=True)
class TurnSettings:
    turn_timeout: float
    initial_wait_time: float | None
    silence_end_call_timeout: float
    soft_timeout_seconds: float
    soft_timeout_message: str
    eagerness: str


@dataclass(frozen=True)
class AgentView:
    conversation_id: str
    agent_id: str
    system_prompt: str
    first_message: str
    language: str
    text_only: bool
    client_events: frozenset[str]
    input_format: str
    output_format: str
    max_duration_seconds: float
    turn: TurnSettings
    variables: Mapping[str, Any]  # the values at the start; the conversation keeps its own
    tools: tuple[ToolDefinition, ...]
    temperature: float | None
    max_tokens: int | None
    custom_llm_extra_body: Mapping[str, Any]
    user_id: str | None
    disable_first_message_interruptions: bool
    record_voice: bool
    voice_speed: float  # tts.speed
    asr_keywords: tuple[str, ...] = ()
    voice_id: str | None = None  # tts.voice_id; None: the server's default voice

    def tool(self, name: str) -> ToolDefinition | None:
        return next((tool for tool in self.tools if tool.name == name), None)
