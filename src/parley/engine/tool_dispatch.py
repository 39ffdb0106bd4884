"""Running the tools the LLM asks for: one dispatcher over one executor per tool kind.

The dispatcher owns what every tool call shares, whatever runs it: finding the tool, its
timeout (on the conversation's clock), its interruption mode, the ``agent_tool_response``
event, the transcript's ``tool_calls``/``tool_results``, the LLM's tool message and the
dynamic variables a result assigns. An executor only runs the call: the client's SDK runs
client tools; the server runs system tools (and, next, webhook and MCP tools).
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Mapping, MutableMapping
from dataclasses import dataclass
from typing import Any, Protocol

from parley.clock import Clock
from parley.engine.history import History
from parley.engine.outbox import Outbox
from parley.engine.pending import PendingToolCalls, ToolOutcome
from parley.engine.tools import ToolDefinition, assigned_variables, bind_parameters
from parley.engine.transcript import ToolCallRecord, ToolResultRecord, TranscriptEntry
from parley.engine.view import AgentView
from parley.providers.llm.base import ChatMessage, ToolCall
from parley.schemas import events as ev

log = logging.getLogger(__name__)

# System tools that end the agent's turn, by name: the turn's outcome is the tool's name.
TURN_ENDING_TOOLS = frozenset({"end_call", "skip_turn"})


@dataclass(frozen=True)
class ToolInvocation:
    tool: ToolDefinition
    call_id: str
    parameters: dict[str, Any]  # the LLM's arguments plus the bound ones
    event_id: int  # of the agent message that asked for it


class ToolExecutor(Protocol):
    async def execute(self, invocation: ToolInvocation) -> ToolOutcome: ...


class ClientToolExecutor:
    """Client tools run in the SDK: ``client_tool_call`` out, ``client_tool_result`` back."""

    def __init__(self, outbox: Outbox, pending: PendingToolCalls) -> None:
        self._outbox = outbox
        self._pending = pending

    async def execute(self, invocation: ToolInvocation) -> ToolOutcome:
        tool = invocation.tool
        await self._outbox.send(
            ev.ClientToolCall(
                client_tool_call=ev.ClientToolCallBody(
                    tool_name=tool.name,
                    tool_call_id=invocation.call_id,
                    parameters=invocation.parameters,
                    event_id=invocation.event_id,
                )
            )
        )
        if not tool.expects_response:
            return ToolOutcome("The client tool was called; no response is expected.", False)
        return await self._pending.wait(invocation.call_id)


class SystemToolExecutor:
    """``end_call`` and ``skip_turn``: their effect is the turn's outcome."""

    async def execute(self, invocation: ToolInvocation) -> ToolOutcome:
        return ToolOutcome("ok", is_error=False)


@dataclass
class Dispatched:
    outcome: ToolOutcome
    ends_turn: str | None  # "end_call" or "skip_turn" when the tool ends the agent's turn


class ToolDispatcher:
    def __init__(
        self,
        executors: Mapping[str, ToolExecutor],
        clock: Clock,
        outbox: Outbox,
        history: History,
        variables: MutableMapping[str, Any],
    ) -> None:
        self._executors = executors
        self._clock = clock
        self._outbox = outbox
        self._history = history
        self._variables = variables
        self.running: ToolDefinition | None = None  # the tool being run now

    @property
    def holds_interruptions(self) -> bool:
        """A tool with ``disable_interruptions`` is running: the user cannot cut in."""
        return self.running is not None and self.running.disable_interruptions

    async def dispatch(
        self, view: AgentView, call: ToolCall, event_id: int, entry: TranscriptEntry
    ) -> Dispatched:
        """Run one call the LLM made in message ``event_id`` (recorded on ``entry``)."""
        tool = view.tool(call.name)
        executor = self._executors.get(tool.kind) if tool is not None else None
        if tool is None or executor is None:
            outcome = ToolOutcome(f"There is no tool named {call.name!r}.", is_error=True)
            self._remember(call, "unknown", call.arguments, outcome, entry)
            return Dispatched(outcome, None)
        parameters = bind_parameters(tool, call.arguments, self._variables)
        invocation = ToolInvocation(tool, call.call_id, parameters, event_id)
        self.running = tool
        try:
            outcome = await self._run(executor, invocation)
        finally:
            self.running = None
        if not outcome.is_error:
            self._variables.update(assigned_variables(tool, outcome.result))
        await self._respond(invocation, outcome)
        recorded = parameters if tool.kind == "client" else call.arguments
        self._remember(call, tool.kind, recorded, outcome, entry)
        ends = tool.name if tool.kind == "system" and tool.name in TURN_ENDING_TOOLS else None
        return Dispatched(outcome, ends)

    async def _run(self, executor: ToolExecutor, invocation: ToolInvocation) -> ToolOutcome:
        seconds = invocation.tool.response_timeout_secs
        work = asyncio.ensure_future(executor.execute(invocation))
        timer = asyncio.ensure_future(self._clock.sleep(seconds))
        try:
            await asyncio.wait([work, timer], return_when=asyncio.FIRST_COMPLETED)
            if work.done():
                return work.result()
            who = "client" if invocation.tool.kind == "client" else "tool"
            return ToolOutcome(f"The {who} did not answer within {seconds:g} s.", True)
        finally:
            work.cancel()
            timer.cancel()

    async def _respond(self, invocation: ToolInvocation, outcome: ToolOutcome) -> None:
        await self._outbox.send(
            ev.AgentToolResponse(
                agent_tool_response=ev.AgentToolResponseBody(
                    tool_name=invocation.tool.name,
                    tool_call_id=invocation.call_id,
                    tool_type=invocation.tool.kind,
                    is_error=outcome.is_error,
                    is_called=True,
                    event_id=invocation.event_id,
                )
            )
        )

    def _remember(
        self,
        call: ToolCall,
        kind: str,
        parameters: Mapping[str, Any],
        outcome: ToolOutcome,
        entry: TranscriptEntry,
    ) -> None:
        entry.tool_calls.append(ToolCallRecord(call.call_id, call.name, dict(parameters), kind))
        entry.tool_results.append(
            ToolResultRecord(call.call_id, call.name, outcome.result, outcome.is_error, kind)
        )
        content = outcome.result if isinstance(outcome.result, str) else json.dumps(outcome.result)
        if outcome.is_error:
            content = f"Error: {content}"
        self._history.add(ChatMessage("tool", content, tool_call_id=call.call_id))
