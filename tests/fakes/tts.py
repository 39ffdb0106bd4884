"""A scripted TTS for engine tests and benchmarks: a quiet tone per clause, optionally slow.

:class:`FakeTTS` implements :class:`parley.providers.tts.base.TTS` with the real clause
splitting, so a test sees the same chunking as with a real voice, and it records what it was
asked to say.  :class:`FakeRenderingTTS` is a fake *engine* on the shared
:class:`~parley.providers.tts.rendering.RenderingTTS` base: it renders a tone per clause on the
base's worker thread, so tests of the base see what Piper and Kokoro see.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import AsyncIterator
from dataclasses import dataclass

import numpy as np

from parley.clock import Clock
from parley.providers.tts.base import (
    AudioChunk,
    FloatAudio,
    TTSCapabilities,
    TTSError,
    TTSOptions,
    TTSUnavailableError,
    UnknownVoiceError,
    Voice,
    check_speed,
)
from parley.providers.tts.clauses import split_clauses
from parley.providers.tts.rendering import RenderingTTS, StopSignal

SAMPLE_RATE = 16_000


@functools.lru_cache(maxsize=256)
def _tone(samples: int, sample_rate: int) -> FloatAudio:
    """A 220 Hz tone; cached, so that a fake synthesis costs next to nothing (benchmarks)."""
    times = np.arange(samples, dtype=np.float32) / sample_rate
    tone = (0.1 * np.sin(2 * np.pi * 220.0 * times)).astype(np.float32)
    tone.flags.writeable = False  # shared between calls
    return tone


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
        sample_rate: int = SAMPLE_RATE,
        record: bool = True,
    ) -> None:
        """``record=False`` keeps no list of requests and clauses (for long benchmarks)."""
        self._voice_ids = voice_ids
        self._sample_rate = sample_rate
        self._record = record
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
        return TTSCapabilities(sample_rates=(self._sample_rate,))

    def voices(self) -> list[Voice]:
        return [
            Voice(voice_id, voice_id.title(), "en-US", "neutral", self._sample_rate, self._name)
            for voice_id in self._voice_ids
        ]

    def synthesize(self, text: str, voice_id: str, speed: float = 1.0) -> AsyncIterator[AudioChunk]:
        if voice_id not in self._voice_ids:
            raise UnknownVoiceError(voice_id, self._voice_ids)
        if self._record:
            self.requests.append(Request(text, voice_id, speed))
        return self._stream(text, voice_id, check_speed(speed, self.capabilities))

    async def _stream(self, text: str, voice_id: str, speed: float) -> AsyncIterator[AudioChunk]:
        for clause in split_clauses(text):
            if self._latency and self._clock is not None:
                await self._clock.sleep(self._latency)
            if self._error is not None:
                raise self._error
            seconds = len(clause) * self._seconds_per_char / speed
            samples = _tone(int(seconds * self._sample_rate), self._sample_rate)
            if self._record:
                self.spoken.append(clause)
            yield AudioChunk(samples, self._sample_rate, text=clause, voice_id=voice_id)

    async def aclose(self) -> None:
        self.closed = True


@dataclass(frozen=True)
class Render:
    text: str
    voice_id: str
    speed: float
    thread: str


class FakeRenderingTTS(RenderingTTS):
    """A fake engine: ``seconds_per_char`` of tone per character, rendered on a worker thread.

    With ``gate``, each render waits until the gate opens or its stop signal is set (then it
    fails, as onnxruntime does when terminated), so a test can hold a clause mid-render.
    ``silent`` clauses render no samples; ``broken_voices`` fail in :meth:`prepare`.
    """

    def __init__(
        self,
        voice_ids: tuple[str, ...] = ("fake",),
        *,
        gate: threading.Event | None = None,
        seconds_per_char: float = 0.01,
        error: Exception | None = None,
        silent: tuple[str, ...] = (),
        broken_voices: tuple[str, ...] = (),
        options: TTSOptions | None = None,
    ) -> None:
        voices = [
            Voice(voice_id, voice_id.title(), "en-US", "neutral", SAMPLE_RATE, "fake-render")
            for voice_id in voice_ids
        ]
        capabilities = TTSCapabilities(sample_rates=(SAMPLE_RATE,), min_speed=0.5, max_speed=2.0)
        super().__init__("fake-render", voices, capabilities, options)
        self._gate = gate
        self._seconds_per_char = seconds_per_char
        self._error = error
        self._silent = silent
        self._broken = broken_voices
        self.rendered: list[Render] = []  # renders that started, in order
        self.stopped: list[str] = []  # clauses whose render was stopped under way
        self.stop_seen = threading.Event()  # set when a render saw its stop signal
        self.started = threading.Event()  # set when a render begins (clear it to wait again)

    def prepare(self, voice_id: str) -> None:
        if voice_id in self._broken:
            raise TTSUnavailableError(f"voice file of {voice_id} is damaged")

    def render(self, text: str, voice_id: str, speed: float, stop: StopSignal) -> FloatAudio:
        self.rendered.append(Render(text, voice_id, speed, threading.current_thread().name))
        self.started.set()
        if self._gate is not None:
            while not self._gate.wait(0.001):
                if stop.is_set():
                    self.stopped.append(text)
                    self.stop_seen.set()
                    raise RuntimeError("terminated")  # what a stopped onnxruntime run raises
        if self._error is not None:
            raise self._error
        if text in self._silent:
            return np.zeros(0, dtype=np.float32)
        return _tone(int(len(text) * self._seconds_per_char / speed * SAMPLE_RATE), SAMPLE_RATE)
