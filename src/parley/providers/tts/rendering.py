"""What every local TTS engine shares, so that an engine (Piper, Kokoro) only renders a clause.

:class:`RenderingTTS` implements :class:`~parley.providers.tts.base.TTS`: it checks the voice
and the speed before any audio, splits the text into clauses, and renders them one after
another on a worker thread, yielding each clause's audio as soon as it is ready.  An engine
subclasses it and implements :meth:`RenderingTTS.render`: one clause to samples, blocking.

Each model has one worker thread and runs one clause at a time.  Clauses from concurrent
conversations queue up in FIFO order, so they interleave clause by clause instead of waiting
for whole replies.  Cancelling or closing the iteration drops a clause that has not started
and sets the :class:`StopSignal` of the one that is running, so an engine that can stop its
model mid-run (onnxruntime's ``terminate``) frees the CPU at once.
"""

from __future__ import annotations

import asyncio
import functools
import threading
from abc import ABC, abstractmethod
from collections.abc import AsyncIterator, Callable, Sequence
from concurrent.futures import ThreadPoolExecutor

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


class StopSignal:
    """Set, from the event loop, when nobody waits for a clause any more; thread-safe."""

    def __init__(self) -> None:
        self._event = threading.Event()
        self._lock = threading.Lock()
        self._hooks: list[Callable[[], None]] = []

    def set(self) -> None:
        with self._lock:
            self._event.set()
            hooks, self._hooks = self._hooks, []
        for hook in hooks:
            hook()

    def is_set(self) -> bool:
        return self._event.is_set()

    def wait(self, timeout: float | None = None) -> bool:
        """Block until set (or ``timeout``); True when set."""
        return self._event.wait(timeout)

    def on_set(self, hook: Callable[[], None]) -> None:
        """Call ``hook`` when the signal is set (at once if it already is)."""
        with self._lock:
            if not self._event.is_set():
                self._hooks.append(hook)
                return
        hook()


class SerialRunner:
    """One worker thread for one model: renders run one at a time, in the order asked."""

    def __init__(self, label: str) -> None:
        self._label = label
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix=f"tts-{label}")

    async def run(self, render: Callable[[StopSignal], FloatAudio]) -> FloatAudio:
        stop = StopSignal()
        job = asyncio.get_running_loop().run_in_executor(self._executor, render, stop)
        try:
            return await job
        except asyncio.CancelledError:
            stop.set()  # stop a model run that is already under way
            raise
        except TTSError:
            raise
        except Exception as error:  # model runtimes raise their own untyped exception classes
            raise TTSError(f"{self._label} synthesis failed: {error}") from error

    async def aclose(self) -> None:
        await asyncio.to_thread(self._executor.shutdown, wait=True, cancel_futures=True)


class RenderingTTS(ABC):
    """A TTS engine that renders one clause at a time; subclasses implement :meth:`render`."""

    def __init__(
        self,
        name: str,
        voices: Sequence[Voice],
        capabilities: TTSCapabilities,
        options: TTSOptions | None = None,
    ) -> None:
        self._name = name
        self._voices = {voice.voice_id: voice for voice in voices}
        self._capabilities = capabilities
        self._options = options or TTSOptions()
        self._runners: dict[str, SerialRunner] = {}
        self._closed = False

    @property
    def name(self) -> str:
        return self._name

    @property
    def capabilities(self) -> TTSCapabilities:
        return self._capabilities

    @property
    def options(self) -> TTSOptions:
        return self._options

    def voices(self) -> list[Voice]:
        return list(self._voices.values())

    def synthesize(self, text: str, voice_id: str, speed: float = 1.0) -> AsyncIterator[AudioChunk]:
        """Check the voice and the speed now (before any audio), then render clause by clause."""
        voice = self._voices.get(voice_id)
        if voice is None:
            raise UnknownVoiceError(voice_id, self._voices)
        if self._closed:
            raise TTSUnavailableError(f"the {self._name} voices are closed")
        speed = check_speed(speed, self._capabilities)
        self.prepare(voice_id)
        clauses = split_clauses(
            text,
            min_chars=self._options.min_clause_chars,
            first_min_chars=self._options.first_clause_min_chars,
        )
        return self._stream(clauses, voice, speed)

    async def _stream(
        self, clauses: list[str], voice: Voice, speed: float
    ) -> AsyncIterator[AudioChunk]:
        runner = self._runner(voice.voice_id)
        for clause in clauses:
            samples = await runner.run(
                functools.partial(self.render, clause, voice.voice_id, speed)
            )
            if samples.size == 0:
                continue
            yield AudioChunk(samples, voice.sample_rate, text=clause, voice_id=voice.voice_id)

    def _runner(self, voice_id: str) -> SerialRunner:
        model = self.model_of(voice_id)
        if model not in self._runners:
            self._runners[model] = SerialRunner(model)
        return self._runners[model]

    def model_of(self, voice_id: str) -> str:
        """Which model speaks ``voice_id``: each model gets one worker thread. Default: one
        model for every voice (Kokoro); Piper has a model per voice."""
        return self._name

    def prepare(self, voice_id: str) -> None:  # noqa: B027  # an optional hook, not abstract
        """Load what ``voice_id`` needs before its first clause; raise if it cannot speak."""

    @abstractmethod
    def render(self, text: str, voice_id: str, speed: float, stop: StopSignal) -> FloatAudio:
        """One clause to mono float32 samples at the voice's sample rate (may be empty).

        Runs on the model's worker thread. ``speed`` is already clamped to the capabilities.
        ``stop`` is set when nobody waits for the result any more; stop early if you can.
        """

    async def aclose(self) -> None:
        """Let the clause under way finish (or stop), then free the worker threads."""
        self._closed = True
        runners, self._runners = list(self._runners.values()), {}
        for runner in runners:
            await runner.aclose()
