"""Building the tools an agent offers its LLM from its config (client and system tools).

The engine runs :class:`~parley.engine.tools.ToolDefinition`; only this module reads the
agent-config schema for them.
"""

from __future__ import annotations

from typing import Any

from parley.agents.defaults import DEFAULT_TOOL_RESPONSE_TIMEOUT_SECS
from parley.engine.tools import (
    SUPPORTED_SYSTEM_TOOLS,
    SYSTEM_TOOL_DESCRIPTIONS,
    BoundParameter,
    ToolDefinition,
)
from parley.schemas.agent_config import (
    ClientToolConfigInput,
    PromptAgentAPIModelInput,
    SystemToolConfigInput,
)


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
        response_timeout_secs=float(
            config.response_timeout_secs or DEFAULT_TOOL_RESPONSE_TIMEOUT_SECS
        ),
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
        response_timeout_secs=DEFAULT_TOOL_RESPONSE_TIMEOUT_SECS,
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
