"""The audio formats of the conversation WebSocket, parsed from the spec's names.

``asr.user_input_audio_format`` and ``tts.agent_output_audio_format`` both take one of
``pcm_8000`` … ``pcm_48000`` (16-bit little-endian mono PCM) or ``ulaw_8000`` (G.711 μ-law).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

PCM_RATES = (8000, 16000, 22050, 24000, 44100, 48000)
ULAW_RATES = (8000,)


class AudioError(Exception):
    """Base of the audio errors; the edge turns these into protocol errors."""


class UnsupportedAudioFormatError(AudioError, ValueError):
    """A format name that is not one of the spec's."""


class InvalidAudioChunkError(AudioError, ValueError):
    """A client's audio chunk is not valid base64 (or not text at all)."""


class Encoding(enum.StrEnum):
    PCM = "pcm"  # signed 16-bit little-endian
    ULAW = "ulaw"  # G.711 μ-law, one byte per sample


@dataclass(frozen=True)
class AudioFormat:
    """Mono audio: an encoding and a sample rate. Build it with :meth:`parse`."""

    encoding: Encoding
    sample_rate: int

    def __post_init__(self) -> None:
        rates = PCM_RATES if self.encoding is Encoding.PCM else ULAW_RATES
        if self.sample_rate not in rates:
            raise UnsupportedAudioFormatError(
                f"unsupported audio format {self.encoding.value}_{self.sample_rate}; "
                f"expected one of {', '.join(SUPPORTED_FORMAT_NAMES)}"
            )

    @classmethod
    def parse(cls, name: str) -> AudioFormat:
        """``"pcm_16000"`` → ``AudioFormat(Encoding.PCM, 16000)``; anything else raises."""
        encoding, sep, rate = name.partition("_")
        if not sep or not rate.isdigit() or encoding not in Encoding.__members__.values():
            raise UnsupportedAudioFormatError(
                f"unsupported audio format {name!r}; "
                f"expected one of {', '.join(SUPPORTED_FORMAT_NAMES)}"
            )
        return cls(Encoding(encoding), int(rate))

    @property
    def name(self) -> str:
        """The spec's name, e.g. ``pcm_16000``."""
        return f"{self.encoding.value}_{self.sample_rate}"

    @property
    def bytes_per_sample(self) -> int:
        return 2 if self.encoding is Encoding.PCM else 1

    @property
    def bytes_per_second(self) -> int:
        return self.sample_rate * self.bytes_per_sample

    def duration_s(self, n_bytes: int) -> float:
        """How long ``n_bytes`` of audio in this format plays."""
        return n_bytes / self.bytes_per_second

    def __str__(self) -> str:
        return self.name


SUPPORTED_FORMAT_NAMES: tuple[str, ...] = (
    *(f"pcm_{rate}" for rate in PCM_RATES),
    *(f"ulaw_{rate}" for rate in ULAW_RATES),
)
