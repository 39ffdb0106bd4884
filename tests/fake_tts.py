"""A scripted TTS for engine tests and benchmarks: a quiet tone per clause, optionally slow.

It implements :class:`parley.providers.tts.base.TTS` with the real clause splitting, so a
test sees the same chunking as with a real voice, and it records what it was asked to say.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass

import numpy as np

from parley.clock import Clock
from parley.providers.tts.base import (
    AudioChunk,
    TTSCapabilities,
    TTSError,
    UnknownVoiceError,
    Voice,
    check_speed,
)
from parley.providers.tts.clauses import split_clauses

SAMPLE_RATE = 16_000


@dataclass(frozen=True)
class Request:
    text: str
    voice_id: str
    speed: float


class FakeTTS:
    """Speaks ``seconds_per_char`` of a 220 Hz tone per character, after ``latency`` per clause."""

    def __init__(
        self,
        voice_ids: tuple[str, ...] = ("fake",),
        *,
        clock: Clock | None = None,
        latency: float = 0.0,
        seconds_per_char: float = 0.05,
        error: TTSError | None = None,
        name: str = "fake",
    ) -> None:
        self._voice_ids = voice_ids
        self._clock = clock
        self._latency = latency
        self._seconds_per_char = seconds_per_char
        self._error = error
        self._name = name
        self.requests: list[Request] = []
        self.spoken: list[str] = []  # clauses whose audio was handed out
        self.closed = False

    @property
    def name(self) -> str:
        return self._name

    @property
    def capabilities(self) -> TTSCapabilities:
        return TTSCapabilities(sample_rates=(SAMPLE_RATE,))

    def voices(self) -> list[Voice]:
        return [
            Voice(voice_id, voice_id.title(), "en-US", "neutral", SAMPLE_RATE, self._name)
            for voice_id in self._voice_ids
        ]

    def synthesize(self, text: str, voice_id: str, speed: float = 1.0) -> AsyncIterator[AudioChunk]:
        if voice_id not in self._voice_ids:
            raise UnknownVoiceError(voice_id, self._voice_ids)
        self.requests.append(Request(text, voice_id, speed))
        return self._stream(text, voice_id, check_speed(speed, self.capabilities))

    async def _stream(self, text: str, voice_id: str, speed: float) -> AsyncIterator[AudioChunk]:
        for clause in split_clauses(text):
            if self._latency and self._clock is not None:
                await self._clock.sleep(self._latency)
            if self._error is not None:
                raise self._error
            seconds = len(clause) * self._seconds_per_char / speed
            times = np.arange(int(seconds * SAMPLE_RATE), dtype=np.float32) / SAMPLE_RATE
            samples = (0.1 * np.sin(2 * np.pi * 220.0 * times)).astype(np.float32)
            self.spoken.append(clause)
            yield AudioChunk(samples, SAMPLE_RATE, text=clause, voice_id=voice_id)

    async def aclose(self) -> None:
        self.closed = True
