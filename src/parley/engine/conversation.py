"""A conversation: who speaks when, and how it ends.

The engine never touches a socket. The edge feeds it typed client events with
:meth:`Conversation.handle` and the user's audio (decoded, in the agent's input format) with
:meth:`Conversation.hear`, and sends whatever it emits; when :attr:`Conversation.ended` is
set, the edge closes the socket with :attr:`ending`.

Its parts live in their own modules: phases, tasks, agent_turns, listening, timers,
interruption, records, tool_dispatch and endings.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from typing import Literal, assert_never

from parley.clock import Clock
from parley.engine.agent_turns import AgentTurns
from parley.engine.endings import CloseCode, Ending, max_duration_exceeded
from parley.engine.errors import ConversationError
from parley.engine.hearing import Hearing
from parley.engine.history import History
from parley.engine.interruption import heard_part, report_cut
from parley.engine.listening import Listening, TurnControls
from parley.engine.outbox import Emit, Outbox
from parley.engine.pending import PendingToolCalls, ToolOutcome
from parley.engine.phases import Phase, Phases
from parley.engine.records import CallRecord
from parley.engine.speculation import SpeculativeLLM
from parley.engine.tasks import CallTasks
from parley.engine.timers import OPEN, REENGAGE, Pinger, SilenceTimer, deadline
from parley.engine.tool_dispatch import ClientToolExecutor, SystemToolExecutor, ToolDispatcher
from parley.engine.transcript import (
    ConversationRecorder,
    ConversationSnapshot,
    TranscriptEntry,
    TurnTimings,
)
from parley.engine.turn import TurnContext, TurnOutcome, reply_request, say_written
from parley.engine.view import AgentView
from parley.engine.voice import open_hearing, speaker
from parley.providers.llm.base import LLM, ChatMessage, LLMRequest
from parley.providers.voice import VoiceProviders
from parley.schemas import events as ev

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class EngineOptions:
    ping_interval_seconds: float = 5.0


class Conversation:
    """Owns turn-taking and state for one conversation; see the module docstring."""

    def __init__(
        self,
        view: AgentView,
        llm: LLM,
        clock: Clock,
        emit: Emit,
        recorder: ConversationRecorder,
        options: EngineOptions | None = None,
        voice: VoiceProviders | None = None,
    ) -> None:
        self._view = view
        self._voice = voice if voice is not None and not view.text_only else None
        self._speculation = SpeculativeLLM(llm) if self._voice is not None else None
        self._llm: LLM = self._speculation or llm
        self._clock = clock
        self._outbox = Outbox(emit, view.client_events)
        self._history = History(view.system_prompt)
        self._pending = PendingToolCalls()
        self._variables = dict(view.variables)
        self._phases = Phases()
        self._tasks = CallTasks(view.conversation_id)
        self._record = CallRecord(
            view, clock, recorder, self._variables, self._voice is not None and view.record_voice
        )
        executors = {"client": ClientToolExecutor(self._outbox, self._pending)}
        self._tools = ToolDispatcher(
            {**executors, "system": SystemToolExecutor()},
            clock,
            self._outbox,
            self._history,
            self._variables,
        )
        self._silence = SilenceTimer(clock, self._tasks, self._reengage, self._silence_ended)
        ping_interval = (options or EngineOptions()).ping_interval_seconds
        self._pinger = Pinger(clock, self._outbox, ping_interval)
        self._listening = Listening(
            self._phases,
            clock,
            self._outbox,
            self._tasks,
            self._speculation,
            TurnControls(
                user_was_active=self._user_was_active,
                interrupt=self._interrupt,
                user_said=self._on_user_message,
                start_turn=self._start_turn,
                current_turn=lambda: self._turns.current,
                reply_request=self._reply_request,
            ),
        )
        self._turns = AgentTurns(
            view.conversation_id,
            self._phases,
            self._tasks,
            self._turn_context,
            self._after_turn,
            self.fail,
        )
        self._queued_messages: list[str] = []
        self._hearing: Hearing | None = None
        self.ended = asyncio.Event()
        self.ending: Ending | None = None

    # ------------------------------------------------------------------ lifecycle

    @property
    def phase(self) -> Phase:
        return self._phases.current

    @property
    def llm(self) -> LLM:
        """The LLM turns use (in a voice call, speculation wraps the agent's)."""
        return self._llm

    @property
    def view(self) -> AgentView:
        return self._view

    @property
    def close_code(self) -> int:
        return int(self.ending.code) if self.ending else CloseCode.NORMAL

    @property
    def close_reason(self) -> str:
        return self.ending.close_reason if self.ending else ""

    def swap_view(self, view: AgentView) -> None:
        """Run on another agent view from the next turn on (a workflow node, a transfer to
        another agent, a language switch): its prompt, tools, LLM settings and turn
        settings. The call's identity and what was said so far stay."""
        if view.conversation_id != self._view.conversation_id:
            raise ValueError("a swapped-in view must belong to the same conversation")
        self._view = view
        self._history.set_system_prompt(view.system_prompt)
        self._variables.update(
            (name, value) for name, value in view.variables.items() if name not in self._variables
        )

    async def start(self) -> None:
        """Announce the conversation, say the first message, start the timers."""
        self._phases.require(Phase.CREATED)
        self._record.status = "in-progress"
        view = self._view
        await self._outbox.send(
            ev.ConversationInitiationMetadata(
                conversation_initiation_metadata_event=ev.ConversationInitiationMetadataBody(
                    conversation_id=view.conversation_id,
                    agent_output_audio_format=view.output_format,
                    user_input_audio_format=view.input_format,
                )
            )
        )
        self._tasks.start(self._pinger.run())
        self._tasks.start(deadline(self._clock, view.max_duration_seconds, self._out_of_time))
        self._phases.to(Phase.LISTENING)
        if self._voice is not None:
            tap = self._record.user_audio if self._record.recording is not None else None
            self._hearing = open_hearing(self._voice, view, self._listening.on_heard, tap)
        if view.first_message and self._voice is not None:
            self._start_turn(  # spoken: a turn, so the user can barge in (if allowed)
                scripted=view.first_message,
                uninterruptible=view.disable_first_message_interruptions,
            )
        elif view.first_message:
            await say_written(self._turn_context(None), view.first_message)
            self._wait_for_user(view.turn.turn_timeout)
        else:
            wait = view.turn.initial_wait_time
            self._wait_for_user(wait if wait is not None else view.turn.turn_timeout)
        self._record.changed()

    async def client_disconnected(self, reason: str = "client disconnected") -> None:
        await self._finish(Ending.normal(reason))

    async def end_for_shutdown(self, reason: str = "server shutting down") -> None:
        """The server stops before this call ended: close it with 1001 (going away)."""
        await self._finish(Ending.normal(reason, CloseCode.GOING_AWAY))

    async def fail(self, error: ConversationError) -> None:
        """End the call because of ``error`` (sent as an ``error`` event first)."""
        await self._finish(Ending.of(error))

    async def shutdown(self, reason: str = "server shutting down") -> None:
        """Stop everything the call runs and store its final state; safe to call twice.

        ``reason`` is the termination reason if the conversation had not ended yet. Hearing
        stops first, so that no transcript can arrive while the rest winds down."""
        await self._finish(Ending.normal(reason))
        hearing, self._hearing = self._hearing, None
        if hearing is not None:
            await hearing.close()
        await self._tasks.close()
        if self._speculation is not None:
            await self._speculation.discard()
        await self._record.close()

    async def _finish(self, ending: Ending) -> None:
        """End the call (once): the phase first, so nothing after this starts new work."""
        if not self._phases.open:
            return
        self._phases.to(Phase.ENDED)
        self.ending = ending
        self._silence.cancel()
        self._turns.cancel()  # a reply still being generated frees the model now
        if self._speculation is not None:
            self._tasks.start(self._speculation.discard())
        self._record.ended(ending.reason, ending.status)
        if ending.error is not None:
            await self._outbox.send(ending.error_event())
        self.ended.set()

    # ------------------------------------------------------------------ client events

    async def handle(self, event: ev.ClientEvent) -> None:  # noqa: C901 - one case per event type
        """Apply one client event. Events after the end are ignored."""
        if not self._phases.open:
            return
        match event:
            case ev.UserMessage(text=text):
                await self._on_user_message(text or "")
            case ev.MultimodalMessage(text=message):
                await self._on_user_message((message.text if message else None) or "")
            case ev.ContextualUpdate(text=text, context_id=context_id):
                self._history.add_context(text, context_id)
            case ev.UserActivity():
                self._user_was_active()
            case ev.ClientToolResult(tool_call_id=call_id, result=result, is_error=is_error):
                if not self._pending.resolve(call_id, ToolOutcome(result, is_error)):
                    log.info("tool result for unknown or finished call %s ignored", call_id)
            case ev.Pong(event_id=event_id):
                self._pinger.pong(event_id)
            case ev.ConversationInitiationClientData():
                log.info("conversation_initiation_client_data after the start ignored")
            case ev.Feedback() | ev.McpToolApprovalResult():
                pass
            case _:
                assert_never(event)

    async def hear(self, audio: bytes) -> None:
        """The user's audio, decoded from base64, in the agent's input format (the edge
        checks and bounds it); heard unless the conversation is text-only."""
        if self._phases.open and self._hearing is not None:
            await self._hearing.feed_encoded(audio)

    async def _on_user_message(
        self,
        text: str,
        medium: Literal["text", "audio"] = "text",
        timings: TurnTimings | None = None,
    ) -> None:
        text = text.strip()
        if not text or not self._phases.open:
            return
        self._user_was_active()
        if self._turns.running:
            if self._turns.current is not None and self._turns.current.uninterruptible:
                self._queued_messages.append(text)
                return
            await self._interrupt()
            if not self._phases.open:
                return
        event_id = self._outbox.next_event_id()
        self._history.add(ChatMessage("user", text))
        await self._record.add(
            TranscriptEntry("user", text, self._record.seconds_in_call(), medium)
        )
        await self._outbox.send(
            ev.UserTranscript(
                user_transcription_event=ev.UserTranscriptBody(
                    user_transcript=text, event_id=event_id
                )
            )
        )
        if self._phases.open:  # the call may have ended while this was stored and sent
            self._start_turn(
                timings=timings or TurnTimings(transcript_final=self._clock.monotonic())
            )

    def _user_was_active(self) -> None:
        self._silence.user_active()
        if self._phases.current is Phase.SILENT:
            self._phases.to(Phase.LISTENING)
        if self._phases.current is Phase.LISTENING:
            self._wait_for_user(self._view.turn.turn_timeout)

    # ------------------------------------------------------------------ agent turns

    def _start_turn(
        self,
        instruction: str | None = None,
        *,
        scripted: str | None = None,
        uninterruptible: bool = False,
        timings: TurnTimings | None = None,
        remembered: bool = True,
    ) -> None:
        """Begin an agent turn; only an open call may (the phase machine refuses otherwise)."""
        self._silence.cancel()
        self._phases.to(Phase.RESPONDING)
        self._turns.start(
            instruction,
            scripted=scripted,
            uninterruptible=uninterruptible,
            timings=timings,
            remembered=remembered,
        )

    def _turn_context(self, timings: TurnTimings | None) -> TurnContext:
        speak = None
        if self._voice is not None:
            record = self._record.agent_audio if self._record.recording is not None else None
            speak = speaker(self._voice, self._view, self._outbox, self._clock, record)
        return TurnContext(
            view=self._view,
            llm=self._llm,
            clock=self._clock,
            outbox=self._outbox,
            history=self._history,
            tools=self._tools,
            record=self._record,
            speak=speak,
            timings=timings,
        )

    async def _after_turn(self, outcome: TurnOutcome) -> None:
        if not self._phases.open:
            return
        if outcome is TurnOutcome.END_CALL:
            await self._finish(Ending.normal("end_call tool was called"))
            return
        self._phases.to(Phase.SILENT if outcome is TurnOutcome.SKIP_TURN else Phase.LISTENING)
        if self._queued_messages:
            self._tasks.start(self._on_user_message(self._queued_messages.pop(0)))
            return
        self._wait_for_user(self._view.turn.turn_timeout)

    async def _interrupt(self) -> None:
        """Stop the agent mid-turn (the user spoke); see :mod:`parley.engine.interruption`."""
        self._listening.barge_in.unheard = None
        stopped = await self._turns.stop()
        if stopped is None:
            return
        turn, speaking = stopped
        self._record.agent_cut()
        if not self._phases.open:
            return
        self._phases.to(Phase.LISTENING)
        heard = heard_part(speaking) if speaking is not None and speaking.text else ""
        self._listening.barge_in.cut(turn, speaking, heard)
        if speaking is not None and speaking.text:
            await report_cut(speaking, heard, self._outbox, self._history, self._record)

    def _reply_request(self, user_text: str) -> LLMRequest:
        """What the LLM would be asked if the user's turn were ``user_text``."""
        messages = (*self._history.messages(), ChatMessage("user", user_text))
        return reply_request(self._view, messages)

    # ------------------------------------------------------------------ timers

    def _wait_for_user(self, turn_wait: float) -> None:
        reengage = self._phases.current is not Phase.SILENT
        self._silence.restart(turn_wait, self._view.turn.silence_end_call_timeout, reengage)

    def _reengage(self) -> None:
        """The user has been silent for ``turn_timeout``: check in (or open the call)."""
        if not self._phases.open:
            return
        if self._record.entries:  # said and stored, but not in the LLM's history (see AgentTurn)
            self._start_turn(REENGAGE, remembered=False)
        else:
            self._start_turn(OPEN)

    async def _silence_ended(self) -> None:
        await self._finish(Ending.normal("silence timeout: the user did not speak"))

    async def _out_of_time(self) -> None:
        await self._finish(Ending.of(max_duration_exceeded(self._view.max_duration_seconds)))

    # ------------------------------------------------------------------ records

    def snapshot(self) -> ConversationSnapshot:
        return self._record.snapshot()
