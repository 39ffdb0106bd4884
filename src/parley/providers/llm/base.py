"""The LLM interface: a chat request in, a stream of text deltas and tool calls out.

Every provider implements :class:`LLM`.  Errors are translated into the small taxonomy
below (on :mod:`parley.providers.errors`) at the provider boundary, so the engine can decide
on its own whether to retry, fall back to a backup model, or end the call with the spec's
error.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

from parley.providers.errors import ProviderError, ProviderTimeoutError, ProviderUnavailableError

Role = Literal["system", "user", "assistant", "tool"]


@dataclass(frozen=True)
class ToolCall:
    """A call the model asked for. ``arguments`` is already parsed JSON."""

    call_id: str
    name: str
    arguments: dict[str, Any]


@dataclass(frozen=True)
class ChatMessage:
    role: Role
    content: str = ""
    tool_calls: tuple[ToolCall, ...] = ()
    tool_call_id: str | None = None  # for role="tool": the call this answers


@dataclass(frozen=True)
class ToolSpec:
    """A function the model may call; ``parameters`` is a JSON schema object."""

    name: str
    description: str
    parameters: dict[str, Any]


def chat_message_json(message: ChatMessage, *, arguments_as_text: bool) -> dict[str, Any]:
    """A message in the OpenAI chat format, which both llama.cpp templates and endpoints use.

    OpenAI endpoints take tool-call arguments as a JSON string; a GGUF chat template applies
    ``tojson`` itself, so it needs them as an object (``arguments_as_text=False``).
    """
    converted: dict[str, Any] = {"role": message.role, "content": message.content}
    if message.tool_calls:
        converted["tool_calls"] = [
            {
                "id": call.call_id,
                "type": "function",
                "function": {
                    "name": call.name,
                    "arguments": json.dumps(call.arguments)
                    if arguments_as_text
                    else call.arguments,
                },
            }
            for call in message.tool_calls
        ]
    if message.role == "tool" and message.tool_call_id is not None:
        converted["tool_call_id"] = message.tool_call_id
    return converted


def tool_json(tool: ToolSpec) -> dict[str, Any]:
    """A tool in the OpenAI function-calling format."""
    return {
        "type": "function",
        "function": {
            "name": tool.name,
            "description": tool.description,
            "parameters": tool.parameters,
        },
    }


@dataclass(frozen=True)
class LLMRequest:
    messages: tuple[ChatMessage, ...]
    tools: tuple[ToolSpec, ...] = ()
    temperature: float | None = None
    max_tokens: int | None = None  # None: the provider's default
    extra_body: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class TextDelta:
    text: str


LLMChunk = TextDelta | ToolCall


class LLM(Protocol):
    """A chat model. ``stream`` yields text as it is generated, then any tool calls."""

    @property
    def name(self) -> str:
        """A label for logs and metrics, e.g. ``local:qwen2.5-coder-1.5b``."""
        ...

    def stream(self, request: LLMRequest) -> AsyncIterator[LLMChunk]:
        """Generate a reply. Cancelling the iteration stops generation promptly."""
        ...

    async def prefill(self, request: LLMRequest) -> None:
        """Read ``request``'s prompt into the model's cache without answering it, so that a
        request that begins the same way soon after only reads what differs (the user is
        still speaking: the reply will follow these words). Best effort: a model that is
        busy, or has no cache of its own to warm, does nothing."""
        ...


class LLMError(ProviderError):
    """A model failed. ``retryable`` says whether another attempt may succeed."""


class LLMTimeoutError(LLMError, ProviderTimeoutError):
    """No (complete) answer in time."""


class LLMUnavailableError(LLMError, ProviderUnavailableError):
    """The provider cannot be reached or is not configured (not retryable unless told)."""


class LLMEmptyReplyError(LLMError):
    """Every model answered with nothing: the turn passes in silence (the call goes on)."""
