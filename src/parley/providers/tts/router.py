"""All installed voices behind one :class:`TTS`: ``tts.voice_id`` picks the engine.

:func:`load_local_tts` loads every engine whose files are installed and skips (with a
warning) the ones that are not, so a Piper-only or Kokoro-only install still works.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Sequence
from pathlib import Path

from parley.providers.tts.base import (
    TTS,
    AudioChunk,
    TTSCapabilities,
    TTSOptions,
    TTSUnavailableError,
    UnknownVoiceError,
    Voice,
)
from parley.providers.tts.kokoro import KokoroTTS
from parley.providers.tts.piper import PiperTTS

logger = logging.getLogger(__name__)

# Latency is the product.  Measured on 2 cores (threads=2): Piper joe gives the first audio of
# a clause in 0.06-0.2 s (RTF ~0.06); Kokoro voices take 0.5-1.8 s (RTF 0.33-0.48).
DEFAULT_VOICE_ID = "joe"
ENGINES = ("piper", "kokoro")


class VoiceRouter:
    """Routes each synthesis to the engine that has the voice."""

    def __init__(self, engines: Sequence[TTS]) -> None:
        self._engines = tuple(engines)
        self._by_voice = {v.voice_id: engine for engine in self._engines for v in engine.voices()}
        rates = {rate for engine in self._engines for rate in engine.capabilities.sample_rates}
        languages = {lang for engine in self._engines for lang in engine.capabilities.languages}
        self._capabilities = TTSCapabilities(
            sample_rates=tuple(sorted(rates)),
            min_speed=max((e.capabilities.min_speed for e in self._engines), default=1.0),
            max_speed=min((e.capabilities.max_speed for e in self._engines), default=1.0),
            languages=tuple(sorted(languages)),
        )

    @property
    def name(self) -> str:
        return "+".join(engine.name for engine in self._engines)

    @property
    def capabilities(self) -> TTSCapabilities:
        return self._capabilities

    def voices(self) -> list[Voice]:
        return [voice for engine in self._engines for voice in engine.voices()]

    def default_voice_id(self) -> str:
        """:data:`DEFAULT_VOICE_ID` when installed, else the first installed voice."""
        if DEFAULT_VOICE_ID in self._by_voice:
            return DEFAULT_VOICE_ID
        return next(iter(self._by_voice))

    def synthesize(self, text: str, voice_id: str, speed: float = 1.0) -> AsyncIterator[AudioChunk]:
        engine = self._by_voice.get(voice_id)
        if engine is None:
            raise UnknownVoiceError(voice_id, self._by_voice)
        return engine.synthesize(text, voice_id, speed)

    async def aclose(self) -> None:
        for engine in self._engines:
            await engine.aclose()


async def load_local_tts(
    cache_dir: Path,
    options: TTSOptions | None = None,
    engines: Sequence[str] = ENGINES,
) -> VoiceRouter:
    """Load the installed local engines; raise only when none of them can run."""
    loaded: list[TTS] = []
    problems: list[str] = []
    for engine in engines:
        try:
            loaded.append(await _load(engine, cache_dir, options))
        except TTSUnavailableError as error:
            logger.warning("TTS engine %s is not available: %s", engine, error)
            problems.append(f"{engine}: {error}")
    if not loaded:
        raise TTSUnavailableError("no TTS engine is available (" + "; ".join(problems) + ")")
    return VoiceRouter(loaded)


async def _load(engine: str, cache_dir: Path, options: TTSOptions | None) -> TTS:
    if engine == "piper":
        return await PiperTTS.load(options)
    if engine == "kokoro":
        return await KokoroTTS.load(cache_dir, options)
    raise TTSUnavailableError(f"unknown TTS engine {engine!r}; known: {', '.join(ENGINES)}")
