"""Per-call provider timings, measured in one place: time to the first result, and duration.

A :class:`CallTimings` belongs to whoever reads the numbers (a conversation, a benchmark).
The ``Timed*`` wrappers put it around the shared providers, so every LLM, STT and TTS call is
measured the same way, on the injected clock, where it is made; no provider keeps a stopwatch
of its own.  Times are ``clock.monotonic()`` seconds, the clock the engine's turn timings use,
so ``timing.started + timing.first_result`` is directly comparable with them.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import AsyncGenerator, AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import Literal, TypeVar

import numpy as np
from numpy.typing import NDArray

from parley.clock import Clock, SystemClock
from parley.providers.llm.base import LLM, LLMChunk, LLMRequest
from parley.providers.stt.base import (
    DEFAULT_OPTIONS,
    STT,
    STTCapabilities,
    TranscribeOptions,
    Transcript,
)
from parley.providers.tts.base import TTS, AudioChunk, TTSCapabilities, Voice
from parley.providers.voice import VoiceProviders

logger = logging.getLogger(__name__)

Kind = Literal["llm", "stt", "stt_partial", "tts"]
Outcome = Literal["ok", "error", "stopped"]  # stopped: cancelled, or closed before the end
T = TypeVar("T")


@dataclass(frozen=True)
class CallTiming:
    """One provider call, in seconds on the recorder's clock."""

    kind: Kind
    provider: str  # the provider's ``name``
    started: float  # clock.monotonic() when the call was made
    first_result: float | None  # seconds to the first chunk or transcript; None: none came
    duration: float  # seconds to the end of the call (its last result, failure or stop)
    results: int  # LLM chunks, TTS clauses, 1 for a transcript
    outcome: Outcome

    @property
    def rate(self) -> float | None:
        """Results per second after the first (an LLM's chunks per second)."""
        if self.first_result is None or self.results < 2:
            return None
        streaming = self.duration - self.first_result
        return (self.results - 1) / streaming if streaming > 0 else None


class Measurement:
    """A call being measured: say when each result comes, then how it ended."""

    def __init__(self, timings: CallTimings, kind: Kind, provider: str) -> None:
        self._timings = timings
        self.kind = kind
        self.provider = provider
        self.started = timings.clock.monotonic()
        self.first_result: float | None = None
        self.results = 0

    def result(self) -> None:
        if self.first_result is None:
            self.first_result = self._timings.clock.monotonic() - self.started
        self.results += 1

    def end(self, outcome: Outcome) -> None:
        duration = self._timings.clock.monotonic() - self.started
        self._timings.record(
            CallTiming(
                self.kind,
                self.provider,
                self.started,
                self.first_result,
                duration,
                self.results,
                outcome,
            )
        )


def _outcome(error: BaseException) -> Outcome:
    return "stopped" if isinstance(error, asyncio.CancelledError | GeneratorExit) else "error"


class CallTimings:
    """The recent calls of each kind, newest last; ``on_call`` hears about each as it ends."""

    def __init__(
        self,
        clock: Clock | None = None,
        *,
        keep: int = 32,
        on_call: Callable[[CallTiming], None] | None = None,
    ) -> None:
        self.clock = clock or SystemClock()
        self._keep = keep
        self._calls: dict[Kind, deque[CallTiming]] = {}
        self._on_call = on_call

    def calls(self, kind: Kind) -> list[CallTiming]:
        return list(self._calls.get(kind, ()))

    def last(self, kind: Kind) -> CallTiming | None:
        calls = self._calls.get(kind)
        return calls[-1] if calls else None

    def record(self, timing: CallTiming) -> None:
        self._calls.setdefault(timing.kind, deque(maxlen=self._keep)).append(timing)
        first = "none" if timing.first_result is None else f"{timing.first_result:.3f} s"
        logger.debug(
            "%s %s: first result after %s, %d in %.3f s (%s)",
            timing.kind,
            timing.provider,
            first,
            timing.results,
            timing.duration,
            timing.outcome,
        )
        if self._on_call is not None:
            self._on_call(timing)

    def start(self, kind: Kind, provider: str) -> Measurement:
        """Measure a call by hand; :meth:`call` and :meth:`stream` cover the usual shapes."""
        return Measurement(self, kind, provider)

    async def call(self, kind: Kind, provider: str, awaitable: Awaitable[T]) -> T:
        """Await a one-result call (a transcript), measuring it."""
        call = self.start(kind, provider)
        try:
            value = await awaitable
        except BaseException as error:
            call.end(_outcome(error))
            raise
        call.result()
        call.end("ok")
        return value

    async def stream(
        self, kind: Kind, provider: str, source: AsyncIterator[T]
    ) -> AsyncGenerator[T, None]:
        """Iterate a streaming call (LLM chunks, TTS clauses), measuring it; closing this
        closes ``source``."""
        call = self.start(kind, provider)
        outcome: Outcome = "ok"
        try:
            async for item in source:
                call.result()
                yield item
        except BaseException as error:
            outcome = _outcome(error)
            raise
        finally:
            close = getattr(source, "aclose", None)
            if close is not None:
                await close()
            call.end(outcome)


class TimedLLM:
    """An :class:`~parley.providers.llm.base.LLM` whose replies are measured."""

    def __init__(self, llm: LLM, timings: CallTimings) -> None:
        self._llm = llm
        self._timings = timings

    @property
    def name(self) -> str:
        return self._llm.name

    def stream(self, request: LLMRequest) -> AsyncIterator[LLMChunk]:
        return self._timings.stream("llm", self._llm.name, self._llm.stream(request))

    async def prefill(self, request: LLMRequest) -> None:
        await self._llm.prefill(request)


class TimedSTT:
    """An :class:`~parley.providers.stt.base.STT` whose transcripts are measured.

    ``aclose`` closes the wrapped model: wrap per owner, close where the model is owned.
    """

    def __init__(self, stt: STT, timings: CallTimings) -> None:
        self._stt = stt
        self._timings = timings

    @property
    def name(self) -> str:
        return self._stt.name

    @property
    def capabilities(self) -> STTCapabilities:
        return self._stt.capabilities

    async def transcribe(
        self, audio: NDArray[np.float32], options: TranscribeOptions = DEFAULT_OPTIONS
    ) -> Transcript:
        return await self._timings.call("stt", self.name, self._stt.transcribe(audio, options))

    async def partial(
        self, audio: NDArray[np.float32], options: TranscribeOptions = DEFAULT_OPTIONS
    ) -> Transcript | None:
        call = self._timings.start("stt_partial", self.name)
        try:
            transcript = await self._stt.partial(audio, options)
        except BaseException as error:
            call.end(_outcome(error))
            raise
        if transcript is not None:  # None: skipped (the model was busy), not a call
            call.result()
            call.end("ok")
        return transcript

    async def aclose(self) -> None:
        await self._stt.aclose()


class TimedTTS:
    """A :class:`~parley.providers.tts.base.TTS` whose syntheses are measured.

    ``aclose`` closes the wrapped engine: wrap per owner, close where the engine is owned.
    """

    def __init__(self, tts: TTS, timings: CallTimings) -> None:
        self._tts = tts
        self._timings = timings

    @property
    def name(self) -> str:
        return self._tts.name

    @property
    def capabilities(self) -> TTSCapabilities:
        return self._tts.capabilities

    def voices(self) -> list[Voice]:
        return self._tts.voices()

    def synthesize(self, text: str, voice_id: str, speed: float = 1.0) -> AsyncIterator[AudioChunk]:
        """Raises at once, as the wrapped engine does, for an unknown voice or a bad speed."""
        chunks = self._tts.synthesize(text, voice_id, speed)
        return self._timings.stream("tts", self.name, chunks)

    async def aclose(self) -> None:
        await self._tts.aclose()


def timed_voice(providers: VoiceProviders, timings: CallTimings) -> VoiceProviders:
    """The speech models with their STT and TTS calls timed (the VAD runs per frame: not)."""
    return VoiceProviders(
        providers.vad,
        TimedSTT(providers.stt, timings),
        TimedTTS(providers.tts, timings),
        providers.default_voice_id,
    )
