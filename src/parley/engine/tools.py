"""Tools an agent offers its LLM: client tools (run by the SDK) and system tools (run here)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from parley.providers.llm.base import ToolSpec
from parley.schemas.agent_config import (
    ClientToolConfigInput,
    PromptAgentAPIModelInput,
    SystemToolConfigInput,
)

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
    bound: Mapping[str, BoundParameter] = field(default_factory=dict)
    response_timeout_secs: float = 20.0
    expects_response: bool = True
    disable_interruptions: bool = False
    assignments: tuple[tuple[str, str], ...] = ()  # (dynamic_variable, value_path)

    def spec(self) -> ToolSpec:
        return ToolSpec(self.name, self.description, self.parameters)


def _schema(node: Any) -> dict[str, Any]:
    schema: dict[str, Any] = node.model_dump(mode="json", exclude_none=True) if node else {}
    return schema


def _split_parameters(
    schema: dict[str, Any],
) -> tuple[dict[str, Any], dict[str, BoundParameter]]:
    """Separate the parameters the LLM fills from those bound to variables or constants."""
    properties = dict(schema.get("properties") or {})
    bound: dict[str, BoundParameter] = {}
    for name, prop in list(properties.items()):
        if prop.get("dynamic_variable"):
            bound[name] = BoundParameter(dynamic_variable=prop["dynamic_variable"])
        elif prop.get("constant_value") is not None:
            bound[name] = BoundParameter(constant=prop["constant_value"])
        else:
            continue
        del properties[name]
    required = [r for r in schema.get("required") or [] if r in properties]
    llm_schema: dict[str, Any] = {"type": "object", "properties": properties}
    if required:
        llm_schema["required"] = required
    return llm_schema, bound


def client_tool(config: ClientToolConfigInput) -> ToolDefinition:
    parameters, bound = _split_parameters(_schema(config.parameters))
    return ToolDefinition(
        name=config.name,
        kind="client",
        description=config.description,
        parameters=parameters,
        bound=bound,
        response_timeout_secs=float(config.response_timeout_secs or 20),
        expects_response=config.expects_response is not False,
        disable_interruptions=bool(config.disable_interruptions),
        assignments=tuple((a.dynamic_variable, a.value_path) for a in config.assignments or ()),
    )


def system_tool(name: str, config: SystemToolConfigInput) -> ToolDefinition:
    return ToolDefinition(
        name=name,
        kind="system",
        description=config.description or SYSTEM_TOOL_DESCRIPTIONS[name],
        parameters={"type": "object", "properties": {}},
        disable_interruptions=bool(config.disable_interruptions),
    )


def _system_tool_name(config: SystemToolConfigInput) -> str:
    params_type = getattr(config.params, "system_tool_type", None)
    return str(params_type or config.name)


def build_tools(prompt: PromptAgentAPIModelInput) -> tuple[ToolDefinition, ...]:
    """Every tool of the agent that Parley can run; others are left out (and logged)."""
    tools: dict[str, ToolDefinition] = {}
    for tool in prompt.tools or ():
        if isinstance(tool, ClientToolConfigInput):
            tools[tool.name] = client_tool(tool)
        elif isinstance(tool, SystemToolConfigInput):
            kind = _system_tool_name(tool)
            if kind in SUPPORTED_SYSTEM_TOOLS:
                tools[kind] = system_tool(kind, tool)
    built_in = prompt.built_in_tools
    for name in SUPPORTED_SYSTEM_TOOLS:
        config = getattr(built_in, name, None) if built_in else None
        if config is not None and name not in tools:
            tools[name] = system_tool(name, config)
    return tuple(tools.values())


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
