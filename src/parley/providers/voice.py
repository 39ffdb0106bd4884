"""The speech models a server shares between its voice conversations."""

from __future__ import annotations

from dataclasses import dataclass

from parley.providers.stt.base import STT
from parley.providers.tts.base import TTS
from parley.providers.vad.base import VAD


@dataclass(frozen=True)
class VoiceProviders:
    """Shared by every conversation; each conversation opens its own streams on them."""

    vad: VAD
    stt: STT
    tts: TTS
    default_voice_id: str
