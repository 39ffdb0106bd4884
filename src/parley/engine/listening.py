"""What the conversation does with what hearing reports: barge-in, speculation, user turns.

:class:`Listening` is the voice side of turn-taking. It reads the phase, drives the
speculative reply while the user speaks or pauses, and hands finished user turns (and
barge-ins) back to the conversation through :class:`TurnControls`.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Literal, Protocol, assert_never

from parley.clock import Clock
from parley.engine.hearing import (
    HeardEvent,
    InterimTranscript,
    SustainedSpeech,
    TentativeTurn,
    TurnContinued,
    UserStartedSpeaking,
    UserTurn,
    VoiceActivity,
)
from parley.engine.interruption import BargeIn
from parley.engine.outbox import Outbox
from parley.engine.phases import Phase, Phases
from parley.engine.speculation import SpeculativeLLM
from parley.engine.tasks import CallTasks
from parley.engine.transcript import TurnTimings
from parley.engine.turn import AgentTurn
from parley.engine.voice import is_backchannel
from parley.providers.llm.base import LLMRequest
from parley.schemas import events as ev

log = logging.getLogger(__name__)

RESUME = "You were interrupted by a sound, not a question. Briefly continue where you left off."


class StartTurn(Protocol):
    def __call__(
        self,
        instruction: str | None = None,
        *,
        scripted: str | None = None,
        uninterruptible: bool = False,
        timings: TurnTimings | None = None,
        remembered: bool = True,
    ) -> None: ...


@dataclass(frozen=True)
class TurnControls:
    """What listening may ask of the conversation."""

    user_was_active: Callable[[], None]
    interrupt: Callable[[], Awaitable[None]]
    user_said: Callable[[str, Literal["text", "audio"], TurnTimings], Awaitable[None]]
    start_turn: StartTurn
    current_turn: Callable[[], AgentTurn | None]
    reply_request: Callable[[str], LLMRequest]  # what the LLM would be asked after these words


class Listening:
    def __init__(
        self,
        phases: Phases,
        clock: Clock,
        outbox: Outbox,
        tasks: CallTasks,
        speculation: SpeculativeLLM | None,
        turns: TurnControls,
    ) -> None:
        self._phases = phases
        self._clock = clock
        self._outbox = outbox
        self._tasks = tasks
        self._speculation = speculation
        self._turns = turns
        self.barge_in = BargeIn()

    async def on_heard(self, event: HeardEvent) -> None:  # noqa: C901 - one case per event
        if not self._phases.open:
            return  # hearing may deliver while the call winds down: nothing starts then
        if not isinstance(event, VoiceActivity):
            log.debug("heard %s (phase %s)", event, self._phases.current.value)
        match event:
            case VoiceActivity(score=score):
                if self._outbox.wants("vad_score"):  # every chunk: build it only if asked for
                    await self._outbox.send(
                        ev.VadScore(vad_score_event=ev.VadScoreBody(vad_score=score))
                    )
            case UserStartedSpeaking():
                self._turns.user_was_active()
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
        turn = self._turns.current_turn()
        if self._phases.current is Phase.RESPONDING and not (turn and turn.uninterruptible):
            self.barge_in.by_voice = True
            await self._turns.interrupt()

    async def _discard_reply(self) -> None:
        if self._speculation is not None:
            await self._speculation.discard()

    def _warm_reply(self, text: str) -> None:
        """The user is still speaking, and ``text`` is what they said so far: have the LLM
        read the conversation up to these words now, so that the reply (speculative or not)
        only has to read the last words. In the background: hearing never waits for it."""
        if self._speculation is not None and self._phases.quiet:
            self._tasks.start(self._speculation.prefill(self._turns.reply_request(text)))

    async def _prepare_reply(self, text: str) -> None:
        """The user paused after ``text``: start the LLM on the reply it would get, so that it
        is under way when the pause turns out to be the end of the turn."""
        if self._speculation is None or not self._phases.quiet or is_backchannel(text):
            return
        await self._speculation.start(self._turns.reply_request(text))

    async def _on_user_turn(self, text: str, timings: TurnTimings) -> None:
        barged_in, unheard = self.barge_in.settle()
        if is_backchannel(text):
            if barged_in:
                self._resume(unheard)
            return
        await self._turns.user_said(text, "audio", timings)

    def _resume(self, unheard: AgentTurn | None) -> None:
        """A false interruption (a cough, an "uh-huh"): pick the thread up again. A turn cut
        off before the user heard any of it is given again from the start, as the reply to
        the same user turn (its latency then counts the detour); "continue where you left
        off" would make the LLM continue the *user's* words."""
        if unheard is None:
            self._turns.start_turn(RESUME)
            return
        answers = unheard.answers
        self._turns.start_turn(
            unheard.instruction,
            scripted=unheard.scripted,
            uninterruptible=unheard.uninterruptible,
            remembered=unheard.remembered,
            timings=TurnTimings(answers.user_speech_ended, answers.transcript_final)
            if answers is not None
            else None,
        )
