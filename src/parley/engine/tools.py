"""Tools an agent offers its LLM: client tools (run by the SDK) and system tools (run here).

:mod:`parley.agents.tools` builds these definitions from the agent's config."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from parley.providers.llm.base import ToolSpec

ToolKind = Literal["client", "system"]
SUPPORTED_SYSTEM_TOOLS = ("end_call", "skip_turn")

SYSTEM_TOOL_DESCRIPTIONS = {
    "end_call": "End the call when the user says goodbye or the conversation is complete. "
    "Say a short goodbye first.",
    "skip_turn": "Stay silent and wait, when the user asks for a moment or is not talking to you.",
}


@dataclass(frozen=True)
class BoundParameter:
    """A parameter filled by Parley, not by the LLM: a dynamic variable or a constant."""

    dynamic_variable: str | None = None
    constant: Any = None


@dataclass(frozen=True)
class ToolDefinition:
    name: str
    kind: ToolKind
    description: str
    parameters: dict[str, Any]  # the JSON schema the LLM sees (bound parameters removed)
    response_timeout_secs: float  # the agent's, or agents/defaults.py's
    bound: Mapping[str, BoundParameter] = field(default_factory=dict)
    expects_response: bool = True
    disable_interruptions: bool = False
    assignments: tuple[tuple[str, str], ...] = ()  # (dynamic_variable, value_path)

    def spec(self) -> ToolSpec:
        return ToolSpec(self.name, self.description, self.parameters)


def bind_parameters(
    tool: ToolDefinition, arguments: Mapping[str, Any], variables: Mapping[str, Any]
) -> dict[str, Any]:
    """The parameters sent to the client: the LLM's arguments plus the bound ones."""
    parameters = dict(arguments)
    for name, binding in tool.bound.items():
        if binding.dynamic_variable is not None:
            parameters[name] = variables.get(binding.dynamic_variable)
        else:
            parameters[name] = binding.constant
    return parameters


def _lookup(value: Any, path: str) -> Any:
    for part in path.split("."):
        if isinstance(value, Mapping) and part in value:
            value = value[part]
        elif isinstance(value, list) and part.isdigit() and int(part) < len(value):
            value = value[int(part)]
        else:
            return None
    return value


def assigned_variables(tool: ToolDefinition, result: Any) -> dict[str, Any]:
    """Dynamic variables to set from a tool result (``assignments`` with ``value_path``)."""
    if isinstance(result, str):
        try:
            result = json.loads(result)
        except ValueError:
            return {}
    assigned = {}
    for variable, path in tool.assignments:
        value = _lookup(result, path)
        if value is not None:
            assigned[variable] = value
    return assigned
