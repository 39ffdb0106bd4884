"""When the user starts talking, pauses, and is done: decided from VAD frame scores.

A pure state machine on audio time (no clock, no I/O): the voice pipeline feeds it the VAD
probability of each 32 ms frame and acts on the events it returns. Its end-of-turn wait is
shaped by ``turn.turn_eagerness``; its ``Paused`` event comes early so a speculative
transcript and LLM reply can start while the detector still waits for the turn to end.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass


class Eagerness(enum.Enum):
    EAGER = "eager"
    NORMAL = "normal"
    PATIENT = "patient"


# Silence after speech before the turn counts as finished (platform: patient waits longer).
END_OF_TURN_SILENCE = {Eagerness.EAGER: 0.30, Eagerness.NORMAL: 0.50, Eagerness.PATIENT: 0.90}


@dataclass(frozen=True)
class DetectorSettings:
    threshold: float = 0.5  # a frame at or above this is speech
    min_speech_seconds: float = 0.10  # shorter blips (clicks, coughs) are not speech
    pause_seconds: float = 0.15  # silence after which speculative work may start
    end_silence_seconds: float = 0.50

    @classmethod
    def for_eagerness(cls, eagerness: str) -> DetectorSettings:
        level = (
            Eagerness(eagerness) if eagerness in Eagerness._value2member_map_ else Eagerness.NORMAL
        )
        return cls(end_silence_seconds=END_OF_TURN_SILENCE[level])


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
        if self._silent_run >= self.settings.end_silence_seconds:
            self.state = SpeechState.QUIET
            self._paused_reported = False
            return TurnEnded(self._speech_ended_at, self._now)
        if not self._paused_reported and self._silent_run >= self.settings.pause_seconds:
            self._paused_reported = True
            return Paused(self._speech_ended_at)
        return None
