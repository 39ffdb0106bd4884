"""One agent turn: LLM rounds, tool calls between them, and what gets said."""

from __future__ import annotations

import asyncio
import enum
import json
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from parley.clock import Clock
from parley.engine.history import History
from parley.engine.outbox import Outbox
from parley.engine.pending import PendingToolCalls, ToolOutcome
from parley.engine.session import SessionConfig
from parley.engine.speaking import AgentVoice
from parley.engine.tools import ToolDefinition, assigned_variables, bind_parameters
from parley.engine.transcript import (
    ToolCallRecord,
    ToolResultRecord,
    TranscriptEntry,
    TurnTimings,
)
from parley.providers.llm.base import LLM, ChatMessage, LLMRequest, TextDelta, ToolCall
from parley.schemas.events import (
    AgentChatResponsePart,
    AgentResponse,
    AgentResponseBody,
    AgentToolResponse,
    AgentToolResponseBody,
    ClientToolCall,
    ClientToolCallBody,
    InternalTentativeAgentResponse,
    TentativeAgentResponseBody,
    TextResponsePart,
)

log = logging.getLogger(__name__)

MAX_TOOL_ROUNDS = 5


def reply_request(session: SessionConfig, messages: tuple[ChatMessage, ...]) -> LLMRequest:
    """What the agent's LLM is asked to continue ``messages`` with."""
    return LLMRequest(
        messages=messages,
        tools=tuple(tool.spec() for tool in session.tools),
        temperature=session.temperature,
        max_tokens=session.max_tokens,
        extra_body=session.custom_llm_extra_body,
    )


class TurnOutcome(enum.Enum):
    COMPLETED = "completed"
    END_CALL = "end_call"
    SKIP_TURN = "skip_turn"


@dataclass
class AgentMessage:
    """What the agent is saying right now (one LLM round)."""

    event_id: int
    text: str = ""
    tool_calls: list[ToolCall] = field(default_factory=list)
    voice: AgentVoice | None = None  # None in text-only conversations
    streamed: bool = False  # text came as LLM deltas (so chat response parts were started)
    entry: TranscriptEntry | None = None  # set once the message is recorded and published
    history_index: int | None = None


@dataclass
class TurnContext:
    """What a turn needs from its conversation; the turn itself holds no long-lived state."""

    session: SessionConfig
    llm: LLM
    clock: Clock
    outbox: Outbox
    history: History
    pending: PendingToolCalls
    variables: dict[str, Any]
    record: Callable[[TranscriptEntry], Awaitable[None]]  # append to the transcript and store
    save: Callable[[], Awaitable[None]]  # store again (after an entry changed)
    seconds_in_call: Callable[[], int]
    speak: Callable[[int], AgentVoice] | None = None  # a voice for a message id; None: text only
    timings: TurnTimings | None = None  # of the user turn this reply answers


class AgentTurn:
    """Runs one reply of the agent. Cancelling the task that runs it is the interruption."""

    def __init__(
        self,
        context: TurnContext,
        instruction: str | None = None,
        *,
        scripted: str | None = None,
        uninterruptible: bool = False,
        remembered: bool = True,
    ) -> None:
        """``scripted`` text is said as is, without the LLM (the first message); a turn that
        is not ``remembered`` is said and stored in the transcript but left out of the LLM's
        history (a re-engagement: seeing its own "Are you still there?" the model answers it,
        "Yes, I am still here.", at the next one)."""
        self._ctx = context
        self._instruction = instruction
        self._scripted = scripted
        self.speaking: AgentMessage | None = None
        self.uninterruptible = uninterruptible
        self.remembered = remembered
        self.rounds = 0  # messages begun so far (a tool call starts another)
        # what it takes to give this turn again from the start (after a false interruption)
        self.instruction, self.scripted = instruction, scripted
        self.answers = context.timings  # the user turn this replies to (None: not a reply)

    async def run(self) -> TurnOutcome:
        try:
            return await self._rounds()
        except BaseException as error:  # interrupted, or the LLM failed: stop speaking now
            log.debug("turn stopped by %r", error)
            if self.speaking is not None and self.speaking.voice is not None:
                self.speaking.voice.stop()
            raise

    async def _rounds(self) -> TurnOutcome:
        for _ in range(MAX_TOOL_ROUNDS):
            message = self._new_message()
            self.speaking = message
            if self._scripted is not None:
                await self._stream_scripted(message, self._scripted)
            else:
                await self._generate(message)
            self._instruction = None
            entry = await self._say(message)
            log.debug("message %d said: %r", message.event_id, message.text)
            if message.voice is not None:
                await self._play_out(message.voice, entry)
            self.speaking = None
            if not message.tool_calls:
                return TurnOutcome.COMPLETED
            outcome = await self._run_tools(message, entry)
            await self._ctx.save()
            if outcome is not None:
                return outcome
        log.warning("turn stopped after %d tool rounds", MAX_TOOL_ROUNDS)
        return TurnOutcome.COMPLETED

    def _new_message(self) -> AgentMessage:
        self.rounds += 1
        event_id = self._ctx.outbox.next_event_id()
        voice = self._ctx.speak(event_id) if self._ctx.speak is not None else None
        return AgentMessage(event_id, voice=voice)

    async def _stream_scripted(self, message: AgentMessage, text: str) -> None:
        message.text = text
        if message.voice is not None:
            message.voice.say(text)

    async def _play_out(self, voice: AgentVoice, entry: TranscriptEntry) -> None:
        """Send all the message's audio, then stay "speaking" while the client plays it, so
        that user speech until then is a barge-in."""
        await self._note_first_audio(voice, entry)  # usually out already: stored even if the
        await voice.finish()  # call ends before the reply has been sent in full
        await self._note_first_audio(voice, entry)
        remaining = voice.plays_until - self._ctx.clock.monotonic()
        if remaining > 0:
            await self._ctx.clock.sleep(remaining)

    async def _note_first_audio(self, voice: AgentVoice, entry: TranscriptEntry) -> None:
        timings = entry.timings
        if timings is None or timings.first_audio_sent is not None or voice.first_audio_at is None:
            return
        timings.first_audio_sent = voice.first_audio_at
        await self._ctx.save()

    async def _generate(self, message: AgentMessage) -> None:
        filler = self._start_soft_timeout()
        request = reply_request(self._ctx.session, self._ctx.history.messages(self._instruction))
        try:
            async for chunk in self._ctx.llm.stream(request):
                if isinstance(chunk, ToolCall):
                    message.tool_calls.append(chunk)
                    continue
                if filler is not None:
                    filler.cancel()
                    filler = None
                await self._stream_text(message, chunk)
        finally:
            if filler is not None:
                filler.cancel()

    async def _stream_text(self, message: AgentMessage, delta: TextDelta) -> None:
        outbox = self._ctx.outbox
        if not message.streamed and outbox.wants("agent_chat_response_part"):
            await outbox.send(_part("", "start", message.event_id))
        message.streamed = True
        message.text += delta.text
        timings = self._ctx.timings
        if timings is not None and timings.llm_first_token is None:
            timings.llm_first_token = self._ctx.clock.monotonic()
        if message.voice is not None:
            message.voice.say(delta.text)
        await outbox.send(
            InternalTentativeAgentResponse(
                tentative_agent_response_internal_event=TentativeAgentResponseBody(
                    tentative_agent_response=message.text
                )
            )
        )
        await outbox.send(_part(delta.text, "delta", message.event_id))

    def _start_soft_timeout(self) -> asyncio.Task[None] | None:
        turn = self._ctx.session.turn
        if turn.soft_timeout_seconds <= 0 or not turn.soft_timeout_message:
            return None
        return asyncio.create_task(self._say_filler(turn.soft_timeout_seconds))

    async def _say_filler(self, after: float) -> None:
        """The LLM is slow: say the configured filler so the user knows we heard them."""
        await self._ctx.clock.sleep(after)
        text = self._ctx.session.turn.soft_timeout_message
        event_id = self._ctx.outbox.next_event_id()
        await self._ctx.outbox.send(
            AgentResponse(
                agent_response_event=AgentResponseBody(agent_response=text, event_id=event_id)
            )
        )
        await self._ctx.record(TranscriptEntry("agent", text, self._ctx.seconds_in_call()))

    async def _say(self, message: AgentMessage) -> TranscriptEntry:
        """Record what this round said, then publish it (stored before the client sees it)."""
        text = message.text.strip()
        if self.remembered or message.tool_calls:
            message.history_index = self._ctx.history.add(
                ChatMessage("assistant", text, tuple(message.tool_calls))
            )
        medium: Literal["text", "audio"] = "audio" if message.voice is not None else "text"
        entry = TranscriptEntry("agent", text or None, self._ctx.seconds_in_call(), medium)
        entry.timings, self._ctx.timings = self._ctx.timings, None  # the first message answering
        message.entry = entry
        await self._ctx.record(entry)
        if text:
            if message.streamed and self._ctx.outbox.wants("agent_chat_response_part"):
                await self._ctx.outbox.send(_part("", "stop", message.event_id))
            await self._ctx.outbox.send(
                AgentResponse(
                    agent_response_event=AgentResponseBody(
                        agent_response=text, event_id=message.event_id
                    )
                )
            )
        return entry

    async def _run_tools(self, message: AgentMessage, entry: TranscriptEntry) -> TurnOutcome | None:
        """Run each requested tool; an end_call or skip_turn ends the turn."""
        outcome = None
        for call in message.tool_calls:
            tool = self._ctx.session.tool(call.name)
            if tool is None:
                result = ToolOutcome(f"There is no tool named {call.name!r}.", is_error=True)
                self._remember(call, "unknown", call.arguments, result, entry)
                continue
            self.uninterruptible = tool.disable_interruptions
            if tool.kind == "system":
                result = ToolOutcome("ok", is_error=False)
                await self._tool_response(tool, call.call_id, result, message.event_id)
                outcome = TurnOutcome(tool.name) if tool.name in ("end_call", "skip_turn") else None
                self._remember(call, "system", call.arguments, result, entry)
            else:
                parameters = bind_parameters(tool, call.arguments, self._ctx.variables)
                result = await self._call_client_tool(tool, call.call_id, parameters, message)
                self._remember(call, "client", parameters, result, entry)
            self.uninterruptible = False
        return outcome

    async def _call_client_tool(
        self, tool: ToolDefinition, call_id: str, parameters: dict[str, Any], message: AgentMessage
    ) -> ToolOutcome:
        await self._ctx.outbox.send(
            ClientToolCall(
                client_tool_call=ClientToolCallBody(
                    tool_name=tool.name,
                    tool_call_id=call_id,
                    parameters=parameters,
                    event_id=message.event_id,
                )
            )
        )
        if not tool.expects_response:
            outcome = ToolOutcome("The client tool was called; no response is expected.", False)
        else:
            waited = await self._ctx.pending.wait(call_id, tool.response_timeout_secs)
            outcome = waited or ToolOutcome(
                f"The client did not answer within {tool.response_timeout_secs:g} s.", True
            )
        if not outcome.is_error:
            self._ctx.variables.update(assigned_variables(tool, outcome.result))
        await self._tool_response(tool, call_id, outcome, message.event_id)
        return outcome

    async def _tool_response(
        self, tool: ToolDefinition, call_id: str, outcome: ToolOutcome, event_id: int
    ) -> None:
        await self._ctx.outbox.send(
            AgentToolResponse(
                agent_tool_response=AgentToolResponseBody(
                    tool_name=tool.name,
                    tool_call_id=call_id,
                    tool_type=tool.kind,
                    is_error=outcome.is_error,
                    is_called=True,
                    event_id=event_id,
                )
            )
        )

    def _remember(
        self,
        call: ToolCall,
        kind: str,
        parameters: dict[str, Any],
        outcome: ToolOutcome,
        entry: TranscriptEntry,
    ) -> None:
        entry.tool_calls.append(ToolCallRecord(call.call_id, call.name, parameters, kind))
        entry.tool_results.append(
            ToolResultRecord(call.call_id, call.name, outcome.result, outcome.is_error, kind)
        )
        content = outcome.result if isinstance(outcome.result, str) else json.dumps(outcome.result)
        if outcome.is_error:
            content = f"Error: {content}"
        self._ctx.history.add(ChatMessage("tool", content, tool_call_id=call.call_id))


def _part(
    text: str, kind: Literal["start", "delta", "stop"], event_id: int
) -> AgentChatResponsePart:
    return AgentChatResponsePart(
        text_response_part=TextResponsePart(text=text, type=kind, event_id=event_id)
    )
