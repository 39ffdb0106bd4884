"""A conversation: who speaks when, the timers around turns, and how it ends.

The engine never touches a socket. The edge feeds it typed client events with
:meth:`Conversation.handle` and sends whatever it emits; when :attr:`Conversation.ended`
is set, the edge closes the socket with :attr:`close_code` and :attr:`close_reason`.
"""

from __future__ import annotations

import asyncio
import enum
import logging
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Any, Literal, assert_never

import numpy as np
from numpy.typing import NDArray

from parley.audio.codec import b64decode_audio
from parley.audio.formats import AudioFormat, InvalidAudioChunkError
from parley.audio.recording import FLAC, Recording
from parley.clock import Clock
from parley.engine.errors import ConversationError
from parley.engine.hearing import (
    HeardEvent,
    Hearing,
    InterimTranscript,
    SustainedSpeech,
    TentativeTurn,
    TurnContinued,
    UserStartedSpeaking,
    UserTurn,
    VoiceActivity,
)
from parley.engine.history import History
from parley.engine.outbox import Emit, Outbox
from parley.engine.pending import PendingToolCalls, ToolOutcome
from parley.engine.persistence import SnapshotWriter
from parley.engine.session import SessionConfig
from parley.engine.speaking import AgentVoice
from parley.engine.speculation import SpeculativeLLM
from parley.engine.transcript import (
    ConversationRecorder,
    ConversationSnapshot,
    RecordedAudio,
    Status,
    TranscriptEntry,
    TurnTimings,
)
from parley.engine.turn import AgentTurn, TurnContext, TurnOutcome, reply_request
from parley.engine.voice import VoiceProviders, is_backchannel
from parley.providers.llm.base import (
    LLM,
    ChatMessage,
    LLMEmptyReplyError,
    LLMError,
    LLMRequest,
    LLMTimeoutError,
)
from parley.ratelimit import TokenBucket
from parley.schemas import events as ev

log = logging.getLogger(__name__)

REENGAGE = (
    "The user has been silent for a while. Say one short sentence to them that checks "
    "whether they are still there, such as: Are you still there?"
)
OPEN = "The user has not said anything yet. Greet them briefly and start the conversation."
RESUME = "You were interrupted by a sound, not a question. Briefly continue where you left off."
# Said (and spoken, in a voice call) when no model can answer, before the call ends with the
# spec's error: the user hears why the agent went quiet instead of a dead line.
APOLOGY = (
    "I'm sorry, I'm having technical trouble and can't answer right now. Please call back later."
)
# Close code for calls still running when the server's shutdown grace period ends: the server
# is going away; the client may reconnect (to this server after its restart, or another).
GOING_AWAY = 1001


class Phase(enum.Enum):
    CREATED = "created"
    LISTENING = "listening"  # waiting for the user
    RESPONDING = "responding"  # an agent turn is running
    SILENT = "silent"  # skip_turn: wait for the user, no re-engagement
    ENDED = "ended"


@dataclass(frozen=True)
class EngineOptions:
    ping_interval_seconds: float = 5.0
    # user audio may run this far ahead of real time (a network hiccup's backlog), no further
    audio_burst_seconds: float = 10.0


class Conversation:
    """Owns turn-taking and state for one conversation; see the module docstring."""

    def __init__(
        self,
        session: SessionConfig,
        llm: LLM,
        clock: Clock,
        emit: Emit,
        recorder: ConversationRecorder,
        options: EngineOptions | None = None,
        voice: VoiceProviders | None = None,
    ) -> None:
        self.session = session
        self._voice = voice if voice is not None and not session.text_only else None
        self._speculation = SpeculativeLLM(llm) if self._voice is not None else None
        self._llm: LLM = self._speculation or llm
        self._clock = clock
        self._options = options or EngineOptions()
        self._outbox = Outbox(emit, session.client_events)
        self._history = History(session.system_prompt)
        self._pending = PendingToolCalls(clock)
        self._variables = dict(session.variables)
        self._transcript: list[TranscriptEntry] = []
        self._phase = Phase.CREATED
        self._status: Status = "initiated"
        self._started_at = clock.now()
        self._started_monotonic = clock.monotonic()
        self._last_user_activity = clock.monotonic()
        self._turn: AgentTurn | None = None
        self._turn_task: asyncio.Task[None] | None = None
        self._queued_messages: list[str] = []
        self._silence_task: asyncio.Task[None] | None = None
        self._background: set[asyncio.Task[None]] = set()
        self._pings: dict[int, float] = {}
        self._ping_ms: int | None = None
        self.ended = asyncio.Event()
        self.close_code: int = 1000
        self.close_reason = ""
        self.termination_reason: str | None = None
        self._recorder = recorder
        self._writer = SnapshotWriter(recorder, self.snapshot, clock)
        self._recording = Recording() if self._voice is not None and session.record_voice else None
        self._hearing: Hearing | None = None
        self._barged_in = False
        self._unheard: AgentTurn | None = None  # the turn a barge-in cut before it was heard
        self._audio_budget = TokenBucket(1.0, self._options.audio_burst_seconds, clock)
        # validated with the agent; worked out once, as every audio chunk is checked with it
        self._input_seconds_per_byte = AudioFormat.parse(session.input_format).duration_s(1)

    # ------------------------------------------------------------------ lifecycle

    @property
    def phase(self) -> Phase:
        return self._phase

    @property
    def transcript(self) -> list[TranscriptEntry]:
        return list(self._transcript)

    async def start(self) -> None:
        """Announce the conversation, say the first message, start the timers."""
        self._require(Phase.CREATED)
        self._status = "in-progress"
        await self._outbox.send(
            ev.ConversationInitiationMetadata(
                conversation_initiation_metadata_event=ev.ConversationInitiationMetadataBody(
                    conversation_id=self.session.conversation_id,
                    agent_output_audio_format=self.session.output_format,
                    user_input_audio_format=self.session.input_format,
                )
            )
        )
        self._spawn(self._ping_loop())
        self._spawn(self._max_duration())
        self._phase = Phase.LISTENING
        if self._voice is not None:
            tap = self._record_user if self._recording is not None else None
            self._hearing = self._voice.hearing(self.session, self._on_heard, tap)
        if self.session.first_message and self._voice is not None:
            self._start_turn(  # spoken: a turn, so the user can barge in (if allowed)
                scripted=self.session.first_message,
                uninterruptible=self.session.disable_first_message_interruptions,
            )
        elif self.session.first_message:
            await self._write_first_message()
            self._restart_silence_timer(self.session.turn.turn_timeout)
        else:
            wait = self.session.turn.initial_wait_time
            self._restart_silence_timer(
                wait if wait is not None else self.session.turn.turn_timeout
            )
        await self._save()

    async def client_disconnected(self, reason: str = "client disconnected") -> None:
        await self._finish(1000, reason)

    async def shutdown(self, reason: str = "server shutting down") -> None:
        """Stop every task and store the final state; safe to call more than once.

        ``reason`` is the termination reason if the conversation had not ended yet."""
        await self._finish(1000, reason)
        tasks = [t for t in (self._turn_task, self._silence_task, *self._background) if t]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        if self._speculation is not None:
            await self._speculation.discard()
        if self._hearing is not None:
            await self._hearing.close()
        await self._writer.flush()
        await self._store_recording()

    async def end_for_shutdown(self, reason: str = "server shutting down") -> None:
        """The server stops before this call ended: close it with 1001 (going away)."""
        await self._finish(GOING_AWAY, reason)

    async def _finish(
        self,
        code: int,
        reason: str,
        error: ConversationError | None = None,
        status: Status = "done",
    ) -> None:
        if self._phase is Phase.ENDED:
            return
        self._phase = Phase.ENDED
        self.close_code, self.close_reason = code, reason[:120]
        self.termination_reason = reason
        self._status = status
        if error is not None:
            await self._outbox.send(
                ev.ErrorEvent(
                    error_event=ev.ErrorBody(
                        code=error.code,
                        message=error.message,
                        error_type=error.error_type,
                        reason=reason,
                    )
                )
            )
        self.ended.set()
        await self._save()

    async def fail(self, error: ConversationError) -> None:
        """End the call because of ``error`` (sent as an ``error`` event first)."""
        status: Status = "failed" if error.code != 1000 else "done"
        await self._finish(error.code, error.message, error, status)

    # ------------------------------------------------------------------ client events

    async def handle(self, event: ev.ClientEvent) -> None:  # noqa: C901 - one case per event type
        """Apply one client event. Events after the end are ignored."""
        if self._phase is Phase.ENDED:
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
                self._on_pong(event_id)
            case ev.ConversationInitiationClientData():
                log.info("conversation_initiation_client_data after the start ignored")
            case ev.Feedback() | ev.McpToolApprovalResult():
                pass
            case _:
                assert_never(event)

    async def _on_user_message(
        self,
        text: str,
        medium: Literal["text", "audio"] = "text",
        timings: TurnTimings | None = None,
    ) -> None:
        text = text.strip()
        if not text:
            return
        self._user_was_active()
        if self._turn_task is not None and not self._turn_task.done():
            if self._turn is not None and self._turn.uninterruptible:
                self._queued_messages.append(text)
                return
            await self._interrupt()
        event_id = self._outbox.next_event_id()
        self._history.add(ChatMessage("user", text))
        await self._record(TranscriptEntry("user", text, self._seconds_in_call(), medium))
        await self._outbox.send(
            ev.UserTranscript(
                user_transcription_event=ev.UserTranscriptBody(
                    user_transcript=text, event_id=event_id
                )
            )
        )
        self._start_turn(timings=timings or TurnTimings(transcript_final=self._clock.monotonic()))

    def _on_pong(self, event_id: int) -> None:
        sent = self._pings.pop(event_id, None)
        if sent is not None:
            self._ping_ms = max(0, round((self._clock.monotonic() - sent) * 1000))

    def _user_was_active(self) -> None:
        self._last_user_activity = self._clock.monotonic()
        if self._phase is Phase.SILENT:
            self._phase = Phase.LISTENING
        if self._phase is Phase.LISTENING:
            self._restart_silence_timer(self.session.turn.turn_timeout)

    # ------------------------------------------------------------------ agent turns

    async def _write_first_message(self) -> None:
        text = self.session.first_message
        event_id = self._outbox.next_event_id()
        self._history.add(ChatMessage("assistant", text))
        await self._record(TranscriptEntry("agent", text, 0))
        await self._outbox.send(
            ev.AgentResponse(
                agent_response_event=ev.AgentResponseBody(agent_response=text, event_id=event_id)
            )
        )

    def _start_turn(
        self,
        instruction: str | None = None,
        *,
        scripted: str | None = None,
        uninterruptible: bool = False,
        timings: TurnTimings | None = None,
        remembered: bool = True,
    ) -> None:
        self._cancel_silence_timer()
        self._phase = Phase.RESPONDING
        self._turn = AgentTurn(
            self._turn_context(timings),
            instruction,
            scripted=scripted,
            uninterruptible=uninterruptible,
            remembered=remembered,
        )
        self._turn_task = asyncio.create_task(self._run_turn(self._turn))

    def _turn_context(self, timings: TurnTimings | None) -> TurnContext:
        return TurnContext(
            session=self.session,
            llm=self._llm,
            clock=self._clock,
            outbox=self._outbox,
            history=self._history,
            pending=self._pending,
            variables=self._variables,
            record=self._record,
            save=self._save,
            seconds_in_call=self._seconds_in_call,
            speak=self._speaker(),
            timings=timings,
        )

    async def _run_turn(self, turn: AgentTurn) -> None:
        try:
            outcome = await turn.run()
            log.debug("turn ended: %s", outcome.value)
        except LLMEmptyReplyError:
            log.warning("the LLM had nothing to say in %s", self.session.conversation_id)
            outcome = TurnOutcome.COMPLETED
        except LLMTimeoutError as error:
            await self._apologise()
            await self.fail(ConversationError("llm_timeout", str(error), 1002))
            return
        except LLMError as error:
            await self._apologise()
            await self.fail(ConversationError("llm_error", f"The LLM failed: {error}", 1002))
            return
        except ConversationError as error:
            await self.fail(error)
            return
        except Exception:  # a bug must end this call cleanly, not leave it hanging
            log.exception("agent turn crashed in %s", self.session.conversation_id)
            await self.fail(ConversationError("unknown", "Internal error in the agent turn.", 1011))
            return
        await self._after_turn(outcome)

    async def _apologise(self) -> None:
        """No model could answer (the backups included): say so before the call ends."""
        if self._phase is Phase.ENDED:
            return
        log.warning("no LLM could answer in %s; apologising", self.session.conversation_id)
        self._turn = AgentTurn(self._turn_context(None), scripted=APOLOGY, uninterruptible=True)
        try:
            await self._turn.run()
        except Exception:  # the error that follows must still reach the client
            log.exception("the apology failed in %s", self.session.conversation_id)

    async def _after_turn(self, outcome: TurnOutcome) -> None:
        if self._phase is Phase.ENDED:
            return
        if outcome is TurnOutcome.END_CALL:
            await self._finish(1000, "end_call tool was called")
            return
        self._phase = Phase.SILENT if outcome is TurnOutcome.SKIP_TURN else Phase.LISTENING
        if self._queued_messages:
            text = self._queued_messages.pop(0)
            self._spawn(self._on_user_message(text))
            return
        self._restart_silence_timer(self.session.turn.turn_timeout)

    async def _interrupt(self) -> None:
        """Stop the agent mid-turn (the user spoke). What the user heard is what counts:
        the client flushes its audio, the transcript and the LLM history keep the heard part."""
        task, turn = self._turn_task, self._turn
        self._unheard = None
        if task is None or turn is None:
            return
        speaking = turn.speaking
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        self._turn_task = self._turn = None
        if self._recording is not None:  # the client dropped the audio it had not played yet
            self._recording.cut_agent(self._clock.monotonic() - self._started_monotonic)
        self._phase = Phase.LISTENING
        if speaking is None or not speaking.text:
            # nothing said yet: cut before its first message began, or within that message
            # (speaking None after a first round means tools are running: that was heard)
            self._unheard = turn if turn.rounds <= (0 if speaking is None else 1) else None
            return
        await self._outbox.send(
            ev.Interruption(interruption_event=ev.InterruptionBody(event_id=speaking.event_id))
        )
        heard = speaking.voice.heard_text() if speaking.voice is not None else speaking.text
        self._unheard = turn if not heard and turn.rounds == 1 else None
        if speaking.entry is None:  # interrupted before the reply was published
            entry = TranscriptEntry("agent", heard or None, self._seconds_in_call())
            entry.interrupted = True
            await self._record(entry)
            return
        original = speaking.entry.message or ""
        speaking.entry.message = heard or None
        speaking.entry.interrupted = True
        if speaking.history_index is not None:
            self._history.amend(speaking.history_index, ChatMessage("assistant", heard))
        await self._outbox.send(
            ev.AgentResponseCorrection(
                agent_response_correction_event=ev.AgentResponseCorrectionBody(
                    original_agent_response=original,
                    corrected_agent_response=heard,
                    event_id=speaking.event_id,
                )
            )
        )
        await self._save()

    # ------------------------------------------------------------------ voice

    def _speaker(self) -> Callable[[int], AgentVoice] | None:
        if self._voice is None:
            return None
        voice, settings = self._voice, self._voice.voice_settings(self.session)
        record = self._record_agent if self._recording is not None else None

        def speak(event_id: int) -> AgentVoice:
            return voice.agent_voice(settings, self._send_audio, event_id, self._clock, record)

        return speak

    async def _send_audio(self, audio: str, event_id: int) -> None:
        await self._outbox.send(
            ev.Audio(audio_event=ev.AudioBody(audio_base_64=audio, event_id=event_id))
        )

    async def hear(self, chunk: str) -> None:
        """A ``user_audio_chunk``: checked in every conversation, heard unless text-only.

        Audio is real-time: a client may run ahead of the clock by ``audio_burst_seconds``
        (a backlog after a network hiccup) but a flood beyond that ends the call, so what
        one client sends can never queue up unbounded work."""
        if self._phase is Phase.ENDED:
            return
        try:
            data = b64decode_audio(chunk)
        except InvalidAudioChunkError as error:
            await self.fail(ConversationError("invalid_message", f"user_audio_chunk: {error}"))
            return
        if not self._audio_budget.take(len(data) * self._input_seconds_per_byte):
            await self.fail(
                ConversationError(
                    "invalid_message",
                    "user_audio_chunk: audio arrives faster than real time "
                    f"(more than {self._options.audio_burst_seconds:g} s ahead)",
                )
            )
            return
        if self._hearing is not None:
            await self._hearing.feed_encoded(data)

    async def _on_heard(self, event: HeardEvent) -> None:
        if not isinstance(event, VoiceActivity):
            log.debug("heard %s (phase %s)", event, self._phase.value)
        match event:
            case VoiceActivity(score=score):
                if self._outbox.wants("vad_score"):  # every chunk: build it only if asked for
                    await self._outbox.send(
                        ev.VadScore(vad_score_event=ev.VadScoreBody(vad_score=score))
                    )
            case UserStartedSpeaking():
                self._user_was_active()
            case SustainedSpeech():
                await self._on_sustained_speech()
            case InterimTranscript(text=text):
                self._warm_reply(text)
                await self._outbox.send(
                    ev.TentativeUserTranscript(
                        tentative_user_transcription_event=ev.UserTranscriptBody(
                            user_transcript=text, event_id=self._outbox.next_event_id()
                        )
                    )
                )
            case TentativeTurn(text=text):
                await self._prepare_reply(text)
            case TurnContinued():
                await self._discard_reply()
            case UserTurn(text=text, speech_ended_at=ended, audio_now=audio_now):
                now = self._clock.monotonic()
                timings = TurnTimings(
                    user_speech_ended=now - (audio_now - ended), transcript_final=now
                )
                await self._on_user_turn(text, timings)
            case _:
                assert_never(event)

    async def _on_sustained_speech(self) -> None:
        """The user has talked long enough to be taking the turn: barge in (if allowed)."""
        if self._phase is Phase.RESPONDING and not (self._turn and self._turn.uninterruptible):
            self._barged_in = True
            await self._interrupt()

    async def _discard_reply(self) -> None:
        if self._speculation is not None:
            await self._speculation.discard()

    def _warm_reply(self, text: str) -> None:
        """The user is still speaking, and ``text`` is what they said so far: have the LLM
        read the conversation up to these words now, so that the reply (speculative or not)
        only has to read the last words. In the background: hearing never waits for it."""
        if self._speculation is not None and self._phase in (Phase.LISTENING, Phase.SILENT):
            self._spawn(self._speculation.prefill(self._reply_request(text)))

    async def _prepare_reply(self, text: str) -> None:
        """The user paused after ``text``: start the LLM on the reply it would get, so that it
        is under way when the pause turns out to be the end of the turn."""
        quiet = self._phase in (Phase.LISTENING, Phase.SILENT)
        if self._speculation is None or not quiet or is_backchannel(text):
            return
        await self._speculation.start(self._reply_request(text))

    def _reply_request(self, user_text: str) -> LLMRequest:
        """What the LLM would be asked if the user's turn were ``user_text``."""
        messages = (*self._history.messages(), ChatMessage("user", user_text))
        return reply_request(self.session, messages)

    async def _on_user_turn(self, text: str, timings: TurnTimings) -> None:
        barged_in, self._barged_in = self._barged_in, False
        unheard, self._unheard = self._unheard, None
        if is_backchannel(text):
            if barged_in and self._phase is not Phase.ENDED:
                self._resume(unheard)
            return
        await self._on_user_message(text, medium="audio", timings=timings)

    def _resume(self, unheard: AgentTurn | None) -> None:
        """A false interruption (a cough, an "uh-huh"): pick the thread up again. A turn cut
        off before the user heard any of it is given again from the start, as the reply to
        the same user turn (its latency then counts the detour); "continue where you left
        off" would make the LLM continue the *user's* words."""
        if unheard is None:
            self._start_turn(RESUME)
            return
        answers = unheard.answers
        self._start_turn(
            unheard.instruction,
            scripted=unheard.scripted,
            uninterruptible=unheard.uninterruptible,
            remembered=unheard.remembered,
            timings=TurnTimings(answers.user_speech_ended, answers.transcript_final)
            if answers is not None
            else None,
        )

    # ------------------------------------------------------------------ timers

    def _restart_silence_timer(self, wait: float) -> None:
        self._cancel_silence_timer()
        self._silence_task = asyncio.create_task(self._silence_watch(wait))

    def _cancel_silence_timer(self) -> None:
        if self._silence_task is not None and self._silence_task is not asyncio.current_task():
            self._silence_task.cancel()
        self._silence_task = None

    async def _silence_watch(self, turn_wait: float) -> None:
        """Re-engage a silent user after ``turn_wait``; end the call after the silence limit."""
        limit = self.session.turn.silence_end_call_timeout
        end_in = self._last_user_activity + limit - self._clock.monotonic() if limit > 0 else None
        reengage = turn_wait > 0 and self._phase is not Phase.SILENT
        if not reengage and end_in is None:
            return
        waits = [w for w in (turn_wait if reengage else None, end_in) if w is not None]
        await self._clock.sleep(max(0.0, min(waits)))
        if end_in is not None and self._clock.monotonic() - self._last_user_activity >= limit:
            await self._finish(1000, "silence timeout: the user did not speak")
            return
        self._silence_task = None
        if self._transcript:  # said and stored, but not in the LLM's history (see AgentTurn)
            self._start_turn(REENGAGE, remembered=False)
        else:
            self._start_turn(OPEN)

    async def _ping_loop(self) -> None:
        interval = self._options.ping_interval_seconds
        while True:
            await self._clock.sleep(interval)
            event_id = self._outbox.next_event_id()
            self._pings[event_id] = self._clock.monotonic()
            await self._outbox.send(
                ev.Ping(ping_event=ev.PingBody(event_id=event_id, ping_ms=self._ping_ms))
            )
            if len(self._pings) > 10:  # a client that never answers must not grow this
                self._pings.pop(next(iter(self._pings)))

    async def _max_duration(self) -> None:
        await self._clock.sleep(self.session.max_duration_seconds)
        await self.fail(
            ConversationError(
                "max_duration_exceeded",
                f"The conversation reached its maximum duration of "
                f"{self.session.max_duration_seconds:g} s.",
                1000,
            )
        )

    # ------------------------------------------------------------------ records

    def _record_user(self, audio: NDArray[np.float32] | NDArray[np.int16]) -> None:
        assert self._recording is not None
        self._recording.add_user(self._clock.monotonic() - self._started_monotonic, audio)

    def _record_agent(self, at: float, audio: NDArray[np.float32], sample_rate: int) -> None:
        assert self._recording is not None
        self._recording.add_agent(at - self._started_monotonic, audio, sample_rate)

    async def _store_recording(self) -> None:
        """Encode and store the call's audio (``privacy.record_voice``), once, at the end."""
        recording, self._recording = self._recording, None
        if recording is None:
            return
        try:
            if recording.user.written or recording.agent.written:
                flac = await asyncio.to_thread(recording.encode_flac)
                audio = RecordedAudio(flac, FLAC, recording.user.written, recording.agent.written)
                await self._recorder.save_audio(self.session.conversation_id, audio)
        except Exception:  # the transcript is stored already; a lost recording is logged
            log.exception("could not store the audio of %s", self.session.conversation_id)
        finally:
            recording.close()

    def _seconds_in_call(self) -> int:
        return int(self._clock.monotonic() - self._started_monotonic)

    async def _record(self, entry: TranscriptEntry) -> None:
        self._transcript.append(entry)
        await self._save()

    def snapshot(self) -> ConversationSnapshot:
        return ConversationSnapshot(
            conversation_id=self.session.conversation_id,
            agent_id=self.session.agent_id,
            status=self._status,
            started_at=self._started_at,
            duration_secs=self._seconds_in_call(),
            transcript=[entry.to_json() for entry in self._transcript],
            termination_reason=self.termination_reason,
            user_id=self.session.user_id,
            dynamic_variables=self._variables,
        )

    async def _save(self) -> None:
        """Have the current state stored; returns at once (see :class:`SnapshotWriter`)."""
        self._writer.changed()

    def _spawn(self, work: Coroutine[Any, Any, None]) -> None:
        task = asyncio.create_task(work)
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    def _require(self, phase: Phase) -> None:
        if self._phase is not phase:
            raise RuntimeError(f"conversation is {self._phase.value}, expected {phase.value}")
