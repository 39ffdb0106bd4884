"""The TTS interface: text in, a stream of mono audio chunks out.

Every engine implements :class:`TTS`.  ``synthesize`` yields one :class:`AudioChunk` per
clause (sentence, or comma clause after a minimum length), so the first audio is ready after
the first clause, not after the whole text.  Engines run their model off the event loop, one
synthesis at a time per model, and stop promptly when the iteration is cancelled or closed;
the local engines get all of that from :class:`~parley.providers.tts.rendering.RenderingTTS`.

Errors are translated into the small taxonomy below at the engine boundary::

    TTSError                     (a ProviderError: retryable unless said otherwise)
    ├── TTSUnavailableError      model, voice files or espeak-ng missing; retrying won't help
    └── UnknownVoiceError        the voice id is not installed; names the installed voices
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass
from typing import Literal, Protocol

import numpy as np
import numpy.typing as npt

from parley.providers.errors import ProviderError, ProviderUnavailableError

Gender = Literal["female", "male", "neutral"]
FloatAudio = npt.NDArray[np.float32]


@dataclass(frozen=True)
class Voice:
    """An installed voice. ``voice_id`` is what ``tts.voice_id`` in an agent config names."""

    voice_id: str
    name: str
    language: str  # BCP 47, e.g. "en-US"
    gender: Gender
    sample_rate: int
    engine: str  # e.g. "piper", "kokoro"
    description: str = ""


@dataclass(frozen=True)
class TTSCapabilities:
    """What an engine can do, as data rather than subclasses."""

    sample_rates: tuple[int, ...]
    min_speed: float = 0.5
    max_speed: float = 2.0
    streaming_chunks: Literal["clause"] = "clause"  # one chunk per clause of the input
    languages: tuple[str, ...] = ("en-US",)


@dataclass(frozen=True, eq=False)
class AudioChunk:
    """Mono float32 samples in [-1, 1] at ``sample_rate``; ``text`` is what they say."""

    samples: FloatAudio
    sample_rate: int
    text: str = ""
    voice_id: str = ""

    @property
    def duration(self) -> float:
        return len(self.samples) / self.sample_rate

    def pcm16(self) -> bytes:
        """Little-endian signed 16-bit PCM, the format of the ElevenLabs audio events."""
        clipped = np.clip(self.samples, -1.0, 1.0)
        return (clipped * 32767.0).astype("<i2").tobytes()


@dataclass(frozen=True)
class TTSOptions:
    """Run-time options shared by the ONNX engines."""

    threads: int = 2  # onnxruntime intra_op_num_threads; CPU is shared with ASR and the LLM
    min_clause_chars: int = 24  # split inside a sentence at , ; : only after this many chars
    first_clause_min_chars: int = 12  # the first clause may be shorter: first audio sooner


class TTS(Protocol):
    """A speech synthesizer with one or more voices."""

    @property
    def name(self) -> str:
        """A label for logs and metrics, e.g. ``piper`` or ``kokoro``."""
        ...

    @property
    def capabilities(self) -> TTSCapabilities: ...

    def voices(self) -> list[Voice]:
        """The installed voices, in a stable order."""
        ...

    def synthesize(self, text: str, voice_id: str, speed: float = 1.0) -> AsyncIterator[AudioChunk]:
        """Speak ``text`` clause by clause. ``speed`` > 1 is faster.

        Raises :class:`UnknownVoiceError` before any audio for a voice that is not installed.
        Cancelling or closing the iteration stops synthesis promptly.
        """
        ...

    async def aclose(self) -> None:
        """Release the model and its worker thread."""
        ...


class TTSError(ProviderError):
    """Synthesis failed. ``retryable`` says whether another attempt may succeed."""


class TTSUnavailableError(TTSError, ProviderUnavailableError):
    """The engine cannot run: a model, voice file or the espeak-ng program is missing."""


class UnknownVoiceError(TTSError):
    """``voice_id`` is not installed; the message lists the voices that are."""

    def __init__(self, voice_id: str, installed: Iterable[str]) -> None:
        self.voice_id = voice_id
        self.installed = tuple(installed)
        listed = ", ".join(self.installed) or "none"
        super().__init__(
            f"unknown TTS voice {voice_id!r}; installed voices: {listed}", retryable=False
        )


def check_speed(speed: float, capabilities: TTSCapabilities) -> float:
    """Clamp ``speed`` into the engine's range; a non-positive speed is a caller bug."""
    if not speed > 0:
        raise TTSError(f"speed must be positive, got {speed}", retryable=False)
    return min(max(speed, capabilities.min_speed), capabilities.max_speed)
