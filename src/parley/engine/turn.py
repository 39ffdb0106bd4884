"""One agent turn: LLM rounds, tool calls between them, and what gets said."""

from __future__ import annotations

import asyncio
import enum
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

from parley.clock import Clock
from parley.engine.history import History
from parley.engine.outbox import Outbox
from parley.engine.speaking import AgentVoice
from parley.engine.tool_dispatch import ToolDispatcher
from parley.engine.transcript import TranscriptEntry, TurnTimings
from parley.engine.view import AgentView
from parley.providers.llm.base import LLM, ChatMessage, LLMRequest, TextDelta, ToolCall
from parley.schemas.events import (
    AgentChatResponsePart,
    AgentResponse,
    AgentResponseBody,
    InternalTentativeAgentResponse,
    TentativeAgentResponseBody,
    TextResponsePart,
)

if TYPE_CHECKING:
    from parley.engine.records import CallRecord

log = logging.getLogger(__name__)

MAX_TOOL_ROUNDS = 5


def reply_request(view: AgentView, messages: tuple[ChatMessage, ...]) -> LLMRequest:
    """What the agent's LLM is asked to continue ``messages`` with."""
    return LLMRequest(
        messages=messages,
        tools=tuple(tool.spec() for tool in view.tools),
        temperature=view.temperature,
        max_tokens=view.max_tokens,
        extra_body=dict(view.custom_llm_extra_body),
    )


async def say_written(context: TurnContext, text: str) -> None:
    """Say ``text`` as written, at once, in a text conversation (the first message)."""
    event_id = context.outbox.next_event_id()
    context.history.add(ChatMessage("assistant", text))
    await context.record.add(TranscriptEntry("agent", text, context.record.seconds_in_call()))
    await context.outbox.send(
        AgentResponse(
            agent_response_event=AgentResponseBody(agent_response=text, event_id=event_id)
        )
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

    view: AgentView
    llm: LLM
    clock: Clock
    outbox: Outbox
    history: History
    tools: ToolDispatcher
    record: CallRecord  # the transcript, stored after each change
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
        self._uninterruptible = uninterruptible
        self._filler: AgentVoice | None = None  # the soft-timeout filler being spoken
        self.remembered = remembered
        self.rounds = 0  # messages begun so far (a tool call starts another)
        # what it takes to give this turn again from the start (after a false interruption)
        self.instruction, self.scripted = instruction, scripted
        self.answers = context.timings  # the user turn this replies to (None: not a reply)

    @property
    def uninterruptible(self) -> bool:
        """The user cannot cut in: the turn says so, or a tool it runs does."""
        return self._uninterruptible or self._ctx.tools.holds_interruptions

    async def run(self) -> TurnOutcome:
        try:
            return await self._rounds()
        except BaseException as error:  # interrupted, or the LLM failed: stop speaking now
            log.debug("turn stopped by %r", error)
            if self.speaking is not None and self.speaking.voice is not None:
                self.speaking.voice.stop()
            if self._filler is not None:
                self._filler.stop()
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
            self._ctx.record.changed()
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
        self._ctx.record.changed()

    async def _generate(self, message: AgentMessage) -> None:
        filler = self._start_soft_timeout(message)
        request = reply_request(self._ctx.view, self._ctx.history.messages(self._instruction))
        try:
            async for chunk in self._ctx.llm.stream(request):
                if isinstance(chunk, ToolCall):
                    message.tool_calls.append(chunk)
                    continue
                if filler is not None:
                    filler.cancel()  # only its wait: a filler already begun is said in full
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

    def _start_soft_timeout(self, message: AgentMessage) -> asyncio.Task[None] | None:
        turn = self._ctx.view.turn
        if turn.soft_timeout_seconds <= 0 or not turn.soft_timeout_message:
            return None
        return asyncio.create_task(self._wait_for_filler(turn.soft_timeout_seconds, message))

    async def _wait_for_filler(self, after: float, message: AgentMessage) -> None:
        await self._ctx.clock.sleep(after)
        await asyncio.shield(self._say_filler(message))

    async def _say_filler(self, message: AgentMessage) -> None:
        """The LLM is slow: say the configured filler so the user knows we heard them (and,
        in a voice call, speak it: the reply's audio follows it)."""
        text = self._ctx.view.turn.soft_timeout_message
        event_id = self._ctx.outbox.next_event_id()
        if self._ctx.speak is not None and message.voice is not None:
            self._filler = self._ctx.speak(event_id)
            self._filler.say(text)
            self._filler.end_text()
            message.voice.play_after(self._filler)
        await self._ctx.outbox.send(
            AgentResponse(
                agent_response_event=AgentResponseBody(agent_response=text, event_id=event_id)
            )
        )
        medium: Literal["text", "audio"] = "audio" if self._filler is not None else "text"
        record = self._ctx.record
        await record.add(TranscriptEntry("agent", text, record.seconds_in_call(), medium))

    async def _say(self, message: AgentMessage) -> TranscriptEntry:
        """Record what this round said, then publish it (stored before the client sees it)."""
        text = message.text.strip()
        if self.remembered or message.tool_calls:
            message.history_index = self._ctx.history.add(
                ChatMessage("assistant", text, tuple(message.tool_calls))
            )
        medium: Literal["text", "audio"] = "audio" if message.voice is not None else "text"
        entry = TranscriptEntry("agent", text or None, self._ctx.record.seconds_in_call(), medium)
        entry.timings, self._ctx.timings = self._ctx.timings, None  # the first message answering
        message.entry = entry
        await self._ctx.record.add(entry)
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
            dispatched = await self._ctx.tools.dispatch(
                self._ctx.view, call, message.event_id, entry
            )
            if dispatched.ends_turn is not None:
                outcome = TurnOutcome(dispatched.ends_turn)
        return outcome


def _part(
    text: str, kind: Literal["start", "delta", "stop"], event_id: int
) -> AgentChatResponsePart:
    return AgentChatResponsePart(
        text_response_part=TextResponsePart(text=text, type=kind, event_id=event_id)
    )
