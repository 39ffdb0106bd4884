"""The STT interface and the runner that keeps blocking decoders off the event loop.

A model implements :class:`Transcriber`: one blocking call that decodes a whole utterance.
:class:`ThreadedSTT` wraps it in the async :class:`STT` the engine uses. It owns what every
local model needs: one decode at a time per model (CPU is scarce), a timeout on the injected
clock, the model's own decode time, and error translation. Partial transcripts are
best-effort: asked for while the model is busy, they are skipped (``None``) rather than queued
behind a final one and delivered stale.

Errors::

    STTError (a ProviderError: retryable unless said otherwise)
    ├── STTTimeoutError       (a ProviderTimeoutError: retryable)
    └── STTUnavailableError   (a ProviderUnavailableError: not installed, failed to load, closed)
"""

from __future__ import annotations

import asyncio
import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Protocol

import numpy as np
from numpy.typing import NDArray

from parley.clock import Clock, SystemClock
from parley.providers.errors import ProviderError, ProviderTimeoutError, ProviderUnavailableError
from parley.providers.timeouts import clock_timeout

STT_SAMPLE_RATE = 16000


@dataclass(frozen=True)
class STTCapabilities:
    sample_rate: int = STT_SAMPLE_RATE
    partials: bool = False  # can transcribe a growing utterance for interim results
    streaming: bool = False  # consumes audio incrementally (else: re-decodes the buffer)
    keywords: bool = False  # biases towards ``TranscribeOptions.keywords``


@dataclass(frozen=True)
class TranscribeOptions:
    """Per-conversation hints. ``keywords`` come from the agent's ``asr.keywords``."""

    keywords: tuple[str, ...] = ()
    prompt: str | None = None  # text that precedes the utterance, e.g. the agent's question
    language: str = "en"


@dataclass(frozen=True)
class Transcript:
    text: str
    final: bool
    audio_seconds: float
    decode_seconds: float  # the model's own time, without waiting for the worker


class Transcriber(Protocol):
    """A blocking decoder; called from one worker thread at a time."""

    @property
    def name(self) -> str: ...

    @property
    def capabilities(self) -> STTCapabilities: ...

    def transcribe(
        self, audio: NDArray[np.float32], *, final: bool, options: TranscribeOptions
    ) -> str: ...

    def close(self) -> None: ...


class STT(Protocol):
    """What the engine holds; one instance is shared by every conversation."""

    @property
    def name(self) -> str: ...

    @property
    def capabilities(self) -> STTCapabilities: ...

    async def transcribe(
        self, audio: NDArray[np.float32], options: TranscribeOptions = ...
    ) -> Transcript:
        """The final transcript of a finished utterance."""
        ...

    async def partial(
        self, audio: NDArray[np.float32], options: TranscribeOptions = ...
    ) -> Transcript | None:
        """An interim transcript, or ``None`` when the model is busy (or has no partials)."""
        ...

    async def aclose(self) -> None: ...


class STTError(ProviderError):
    """Transcription failed. ``retryable`` says whether another attempt may succeed."""


class STTTimeoutError(STTError, ProviderTimeoutError):
    """No transcript in time."""


class STTUnavailableError(STTError, ProviderUnavailableError):
    """The model is not installed, failed to load, or was closed."""


DEFAULT_OPTIONS = TranscribeOptions()


class ThreadedSTT:
    """Runs a :class:`Transcriber` on one worker thread; implements :class:`STT`.

    Cancelling a call that waits for the worker withdraws it; a decode that has started runs
    to its end (models cannot be interrupted), and the worker takes the next call after it.
    """

    def __init__(
        self,
        transcriber: Transcriber,
        *,
        timeout_s: float | None = 10.0,
        clock: Clock | None = None,
    ) -> None:
        self._transcriber = transcriber
        self._timeout_s = timeout_s
        self._clock = clock or SystemClock()
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="stt")
        self._pending = 0  # decodes queued or running on the worker
        self._lock = threading.Lock()
        self._closed = False

    @property
    def name(self) -> str:
        return self._transcriber.name

    @property
    def capabilities(self) -> STTCapabilities:
        return self._transcriber.capabilities

    @property
    def busy(self) -> bool:
        return self._pending > 0

    async def transcribe(
        self, audio: NDArray[np.float32], options: TranscribeOptions = DEFAULT_OPTIONS
    ) -> Transcript:
        return await self._run(audio, final=True, options=options)

    async def partial(
        self, audio: NDArray[np.float32], options: TranscribeOptions = DEFAULT_OPTIONS
    ) -> Transcript | None:
        if not self.capabilities.partials or self.busy:
            return None
        return await self._run(audio, final=False, options=options)

    async def aclose(self) -> None:
        """Waits for a running decode, then frees the model."""
        if self._closed:
            return
        self._closed = True
        await asyncio.get_running_loop().run_in_executor(self._executor, self._transcriber.close)
        self._executor.shutdown(wait=True)

    async def _run(
        self, audio: NDArray[np.float32], *, final: bool, options: TranscribeOptions
    ) -> Transcript:
        if self._closed:
            raise STTUnavailableError(f"{self.name} is closed")
        samples = np.ascontiguousarray(audio, dtype=np.float32).ravel()
        with self._lock:
            self._pending += 1
        job = self._executor.submit(self._decode, samples, final, options)
        job.add_done_callback(self._job_done)  # also when cancelled before it started
        try:
            async with clock_timeout(self._clock, self._timeout_s):
                text, seconds = await asyncio.wrap_future(job)
        except TimeoutError:
            raise STTTimeoutError(f"{self.name}: no transcript in {self._timeout_s} s") from None
        audio_seconds = samples.size / self.capabilities.sample_rate
        return Transcript(text, final, audio_seconds, seconds)

    def _job_done(self, _job: Future[tuple[str, float]]) -> None:
        with self._lock:
            self._pending -= 1

    def _decode(
        self, audio: NDArray[np.float32], final: bool, options: TranscribeOptions
    ) -> tuple[str, float]:
        started = time.perf_counter()
        try:
            text = self._transcriber.transcribe(audio, final=final, options=options)
        except STTError:
            raise
        except Exception as exc:  # any model failure becomes the taxonomy's
            raise STTError(f"{self.name} failed: {exc!r}") from exc
        return text.strip(), time.perf_counter() - started
