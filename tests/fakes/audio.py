"""Scripted VAD and STT for engine tests and benchmarks, plus test audio (tones, espeak-ng speech).

The fakes implement the real interfaces (:class:`~parley.providers.vad.base.VAD`,
:class:`~parley.providers.stt.base.STT` and ``Transcriber``) and are deterministic.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import threading
import wave
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from parley.audio import AudioFormat, InputDecoder
from parley.clock import Clock
from parley.providers.stt.base import (
    DEFAULT_OPTIONS,
    STTCapabilities,
    STTError,
    TranscribeOptions,
    Transcript,
)
from parley.providers.vad.base import VAD_SAMPLE_RATE, FrameBuffer, VADCapabilities, VADClosedError

Audio = NDArray[np.float32]
FrameScore = Callable[[float, Audio], float]  # (frame start in seconds, frame) -> probability

SPEECH_PROBABILITY = 0.95
SILENCE_PROBABILITY = 0.02

# --- test audio -----------------------------------------------------------------------------


def silence(seconds: float) -> Audio:
    return np.zeros(round(seconds * VAD_SAMPLE_RATE), dtype=np.float32)


def tone(seconds: float, *, freq: float = 220.0, amp: float = 0.3) -> Audio:
    t = np.arange(round(seconds * VAD_SAMPLE_RATE)) / VAD_SAMPLE_RATE
    return (amp * np.sin(2 * np.pi * freq * t)).astype(np.float32)


def have_espeak() -> bool:
    return shutil.which("espeak-ng") is not None


def espeak(text: str, *, words_per_minute: int = 175) -> Audio:
    """``text`` spoken by espeak-ng (Debian package), as float32 at 16 kHz."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "speech.wav"
        subprocess.run(
            ["espeak-ng", "-v", "en-us", "-s", str(words_per_minute), "-w", str(path), text],
            check=True,
            capture_output=True,
        )
        with wave.open(str(path)) as wav:
            rate, raw = wav.getframerate(), wav.readframes(wav.getnframes())
    decoder = InputDecoder(AudioFormat.parse(f"pcm_{rate}"))
    return np.concatenate([decoder.decode(raw), decoder.flush()])


# --- VAD ------------------------------------------------------------------------------------


def segments_score(
    segments: Sequence[tuple[float, float]],
    *,
    speech: float = SPEECH_PROBABILITY,
    quiet: float = SILENCE_PROBABILITY,
) -> FrameScore:
    """Speech while a frame starts inside one of the ``(start_s, end_s)`` segments."""

    def score(start: float, _frame: Audio) -> float:
        return speech if any(a <= start < b for a, b in segments) else quiet

    return score


def energy_score(threshold_dbfs: float = -40.0) -> FrameScore:
    """Speech while the frame's RMS is above ``threshold_dbfs``: feed tones for "speech".
    (Mean square against the threshold's power: cheap enough for the load benchmark.)"""
    threshold_power = 10 ** (threshold_dbfs / 10)

    def score(_start: float, frame: Audio) -> float:
        loud = float(np.dot(frame, frame)) / frame.size > threshold_power
        return SPEECH_PROBABILITY if loud else SILENCE_PROBABILITY

    return score


class FakeVAD:
    """A VAD whose frame probabilities come from ``score``; each stream keeps its own time."""

    def __init__(self, score: FrameScore, *, record: bool = True) -> None:
        """``record=False`` keeps no list of streams (a long benchmark opens thousands)."""
        self._score = score
        self._record = record
        self.streams: list[FakeVADStream] = []

    @classmethod
    def from_segments(cls, *segments: tuple[float, float]) -> FakeVAD:
        return cls(segments_score(segments))

    @classmethod
    def from_energy(cls, threshold_dbfs: float = -40.0, *, record: bool = True) -> FakeVAD:
        return cls(energy_score(threshold_dbfs), record=record)

    @property
    def name(self) -> str:
        return "fake"

    @property
    def capabilities(self) -> VADCapabilities:
        return VADCapabilities()

    def stream(self) -> FakeVADStream:
        stream = FakeVADStream(self._score)
        if self._record:
            self.streams.append(stream)
        return stream


class FakeVADStream:
    def __init__(self, score: FrameScore) -> None:
        self._score = score
        self._frames = FrameBuffer()
        self.frames_seen = 0
        self.closed = False

    def process(self, audio: Audio) -> list[float]:
        if self.closed:
            raise VADClosedError("this VAD stream is closed")
        probabilities = []
        for frame in self._frames.frames(audio):
            start = self.frames_seen * self._frames.frame_samples / VAD_SAMPLE_RATE
            probabilities.append(self._score(start, frame))
            self.frames_seen += 1
        return probabilities

    def reset(self) -> None:
        self._frames.clear()
        self.frames_seen = 0

    def close(self) -> None:
        self.closed = True


# --- STT ------------------------------------------------------------------------------------

Answer = str | STTError | Callable[[Audio, bool, TranscribeOptions], str]


class FakeTranscriber:
    """A blocking ``Transcriber`` for :class:`~parley.providers.stt.base.ThreadedSTT` tests.

    Answers from ``answers`` in order (the last one repeats); with ``gate`` set, each call
    first waits for the gate, so a test can hold the worker busy.
    """

    def __init__(
        self, *answers: Answer, partials: bool = True, gate: threading.Event | None = None
    ) -> None:
        self._answers = list(answers) or [""]
        self._gate = gate
        self._capabilities = STTCapabilities(partials=partials)
        self.calls: list[tuple[int, bool, TranscribeOptions]] = []  # (samples, final, options)
        self.started = threading.Event()
        self.closed = False

    @property
    def name(self) -> str:
        return "fake"

    @property
    def capabilities(self) -> STTCapabilities:
        return self._capabilities

    def transcribe(self, audio: Audio, *, final: bool, options: TranscribeOptions) -> str:
        self.calls.append((audio.size, final, options))
        self.started.set()
        if self._gate is not None and not self._gate.wait(timeout=5):
            raise TimeoutError("the test never opened the gate")
        answer = self._answers.pop(0) if len(self._answers) > 1 else self._answers[0]
        if isinstance(answer, STTError):
            raise answer
        return answer if isinstance(answer, str) else answer(audio, final, options)

    def close(self) -> None:
        self.closed = True


class FakeSTT:
    """An async :class:`~parley.providers.stt.base.STT` for engine tests on a virtual clock.

    Each call answers with the next scripted text after ``delay`` seconds of ``clock`` time
    (no threads; an ``STTError`` among the texts is raised instead); partials answer with
    ``partial_text`` or, if that is None, are skipped.
    """

    def __init__(
        self,
        *texts: str | STTError,
        delay: float = 0.0,
        clock: Clock | None = None,
        partial_text: Callable[[Audio], str] | None = None,
        then: str = "",
        record: bool = True,
    ) -> None:
        """Once the scripted ``texts`` are used up, every transcript is ``then``;
        ``record=False`` keeps no list of requests (for long benchmarks)."""
        self._texts = list(texts)
        self._then = then
        self._record = record
        self._delay = delay
        self._clock = clock
        self._partial_text = partial_text
        self.requests: list[tuple[int, bool, TranscribeOptions]] = []
        self.closed = False

    @property
    def name(self) -> str:
        return "fake"

    @property
    def capabilities(self) -> STTCapabilities:
        return STTCapabilities(partials=self._partial_text is not None)

    async def transcribe(
        self, audio: Audio, options: TranscribeOptions = DEFAULT_OPTIONS
    ) -> Transcript:
        if self._record:
            self.requests.append((audio.size, True, options))
        await self._wait()
        text = self._texts.pop(0) if self._texts else self._then
        if isinstance(text, STTError):
            raise text
        return Transcript(text, True, audio.size / VAD_SAMPLE_RATE, self._delay)

    async def partial(
        self, audio: Audio, options: TranscribeOptions = DEFAULT_OPTIONS
    ) -> Transcript | None:
        if self._partial_text is None:
            return None
        if self._record:
            self.requests.append((audio.size, False, options))
        await self._wait()
        return Transcript(self._partial_text(audio), False, audio.size / VAD_SAMPLE_RATE, 0.0)

    async def aclose(self) -> None:
        self.closed = True

    async def _wait(self) -> None:
        if self._delay and self._clock is not None:
            await self._clock.sleep(self._delay)
