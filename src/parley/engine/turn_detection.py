"""When the user starts talking, pauses, and is done: decided from VAD frame scores.

A pure state machine on audio time (no clock, no I/O): the voice pipeline feeds it the VAD
probability of each 32 ms frame and acts on the events it returns. Its ``Paused`` event comes
early so a speculative transcript and LLM reply can start while the detector still waits for
the turn to end. How long it waits is shaped by ``turn.turn_eagerness`` and by the transcript
of the pause: a finished sentence ("What time do you open?") ends the turn after a short
silence, anything else ("I would like to…") only after a longer one (:meth:`TurnDetector.
sounds_complete`).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass


class Eagerness(enum.Enum):
    EAGER = "eager"
    NORMAL = "normal"
    PATIENT = "patient"


# Silence after speech before the turn counts as finished (platform: patient waits longer):
# (after a sentence that sounds complete, after anything else).
END_OF_TURN_SILENCE = {
    Eagerness.EAGER: (0.20, 0.40),
    Eagerness.NORMAL: (0.30, 0.60),
    Eagerness.PATIENT: (0.60, 1.00),
}


@dataclass(frozen=True)
class DetectorSettings:
    threshold: float = 0.5  # a frame at or above this is speech
    min_speech_seconds: float = 0.10  # shorter blips (clicks, coughs) are not speech
    # Silence after which the speculative transcript and reply start: two frames. Silero's
    # score stays up across the gaps between words, so this is rarely a false start, and it
    # gave ~120 ms at the voice-to-voice p50 over 0.15 s (benchmarks/voice_latency).
    pause_seconds: float = 0.064
    end_silence_seconds: float = 0.60  # the wait when nothing says the user is done
    complete_silence_seconds: float = 0.30  # the wait after a sentence that sounds finished

    @classmethod
    def for_eagerness(cls, eagerness: str) -> DetectorSettings:
        level = (
            Eagerness(eagerness) if eagerness in Eagerness._value2member_map_ else Eagerness.NORMAL
        )
        complete, otherwise = END_OF_TURN_SILENCE[level]
        return cls(end_silence_seconds=otherwise, complete_silence_seconds=complete)


class SpeechState(enum.Enum):
    QUIET = "quiet"
    SPEAKING = "speaking"
    PAUSED = "paused"  # speech, then a short silence: maybe the end of the turn


@dataclass(frozen=True)
class SpeechStarted:
    at: float  # audio seconds when the speech began


@dataclass(frozen=True)
class Paused:
    speech_ended_at: float


@dataclass(frozen=True)
class Resumed:
    at: float


@dataclass(frozen=True)
class TurnEnded:
    speech_ended_at: float
    decided_at: float


SpeechEvent = SpeechStarted | Paused | Resumed | TurnEnded


class TurnDetector:
    """Feed it frame scores in order; it returns what changed."""

    def __init__(self, settings: DetectorSettings, frame_seconds: float = 0.032) -> None:
        self.settings = settings
        self._frame = frame_seconds
        self._now = 0.0
        self.state = SpeechState.QUIET
        self._voiced_run = 0.0  # seconds of consecutive speech frames
        self._silent_run = 0.0  # seconds of consecutive non-speech frames
        self._speech_ended_at = 0.0
        self._paused_reported = False
        self._end_silence = settings.end_silence_seconds  # for the pause under way

    def sounds_complete(self) -> None:
        """What the user said before this pause is a finished sentence: the turn may end after
        the shorter silence (at the next frame if it has been that long already)."""
        if self.state is SpeechState.PAUSED:
            self._end_silence = min(self._end_silence, self.settings.complete_silence_seconds)

    @property
    def now(self) -> float:
        return self._now

    def feed(self, scores: list[float]) -> list[SpeechEvent]:
        events: list[SpeechEvent] = []
        for score in scores:
            self._now += self._frame
            event = self._step(score >= self.settings.threshold)
            if event is not None:
                events.append(event)
        return events

    def _step(self, voiced: bool) -> SpeechEvent | None:
        if voiced:
            self._voiced_run += self._frame
            self._silent_run = 0.0
            return self._on_voice()
        self._silent_run += self._frame
        self._voiced_run = 0.0
        return self._on_silence()

    def _on_voice(self) -> SpeechEvent | None:
        if self._voiced_run < self.settings.min_speech_seconds:
            return None
        if self.state is SpeechState.QUIET:
            self.state = SpeechState.SPEAKING
            return SpeechStarted(self._now - self._voiced_run)
        if self.state is SpeechState.PAUSED:
            self.state = SpeechState.SPEAKING
            reported = self._paused_reported
            self._paused_reported = False
            return Resumed(self._now - self._voiced_run) if reported else None
        return None

    def _on_silence(self) -> SpeechEvent | None:
        if self.state is SpeechState.QUIET:
            return None
        if self.state is SpeechState.SPEAKING:
            self.state = SpeechState.PAUSED
            self._speech_ended_at = self._now - self._frame
            self._end_silence = self.settings.end_silence_seconds
        if self._silent_run >= self._end_silence - 1e-9:
            self.state = SpeechState.QUIET
            self._paused_reported = False
            return TurnEnded(self._speech_ended_at, self._now)
        if not self._paused_reported and self._silent_run >= self.settings.pause_seconds:
            self._paused_reported = True
            return Paused(self._speech_ended_at)
        return None
