"""The embedded speech models (VAD, speech-to-text, text-to-speech), loaded once and shared.

Their packages come with the ``local`` extra and are imported only when they load, so a plain
install starts, serves text, and says once what to install for voice.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal, TypeVar

from parley.providers import extras
from parley.providers.errors import ProviderError
from parley.providers.loading import LoadState, ModelStatus, load_state
from parley.providers.stt.base import STT
from parley.providers.vad.base import VAD
from parley.providers.voice import VoiceProviders

if TYPE_CHECKING:
    from parley.providers.tts.router import VoiceRouter

log = logging.getLogger(__name__)

Part = Literal["vad", "stt", "tts"]
PARTS: tuple[Part, ...] = ("vad", "stt", "tts")
_MODULES: dict[Part, tuple[str, ...]] = {
    "vad": extras.VAD_MODULES,
    "stt": extras.STT_MODULES,
    "tts": extras.TTS_MODULES,
}
M = TypeVar("M")


@dataclass(frozen=True)
class VoiceLoaders:
    """How each speech model loads; tests pass scripted ones."""

    vad: Callable[[], Awaitable[VAD]]
    stt: Callable[[], Awaitable[STT]]
    tts: Callable[[], Awaitable[VoiceRouter]]  # the installed engines and their voices
    # which packages each needs (checked before loading, so that a missing one is named)
    modules: dict[Part, tuple[str, ...]]


def embedded_loaders(models_dir: Path, threads: int, tts_threads: int) -> VoiceLoaders:
    """Silero VAD, Whisper tiny.en and the Piper/Kokoro voices, imported as they load."""

    async def vad() -> VAD:
        from parley.providers.vad.silero import SileroVAD

        return await asyncio.to_thread(SileroVAD)

    async def stt() -> STT:
        from parley.providers.stt.whisper import WhisperConfig, load_whisper_stt

        return await load_whisper_stt(WhisperConfig(cpu_threads=threads))

    async def tts() -> VoiceRouter:
        from parley.providers.tts.base import TTSOptions
        from parley.providers.tts.router import load_local_tts

        return await load_local_tts(models_dir, TTSOptions(threads=tts_threads))

    return VoiceLoaders(vad, stt, tts, _MODULES)


class EmbeddedVoice:
    """Loads the voice models on first use (or at start-up), exactly once.

    A machine without them still serves text conversations: :meth:`get` returns None and says
    once, in the log, what to install.
    """

    def __init__(self, loaders: VoiceLoaders) -> None:
        self._loaders = loaders
        self._loading: asyncio.Task[VoiceProviders | None] | None = None
        self._parts: dict[Part, ModelStatus] = dict.fromkeys(PARTS, ModelStatus("not loaded"))

    async def get(self) -> VoiceProviders | None:
        if self._loading is None:
            self._loading = asyncio.create_task(self._load())
        return await asyncio.shield(self._loading)

    @property
    def state(self) -> LoadState:
        """Also "failed" when the models are missing (then :meth:`get` gives None)."""
        state = load_state(self._loading)
        return "failed" if state == "ready" and self.loaded() is None else state

    def loaded(self) -> VoiceProviders | None:
        """The models if they have loaded, without starting a load."""
        if load_state(self._loading) != "ready":
            return None
        assert self._loading is not None
        return self._loading.result()

    def parts(self) -> dict[Part, ModelStatus]:
        """Each model's state, without starting a load (for readiness checks)."""
        return dict(self._parts)

    async def _load(self) -> VoiceProviders | None:
        for part in PARTS:
            if problem := extras.missing(self._loaders.modules[part]):
                self._parts[part] = ModelStatus("not installed", problem)
        if problem := next((s.detail for s in self._parts.values() if s.detail), None):
            log.warning("voice is off, conversations are text-only: %s", problem)
            return None
        log.info("loading the speech models (Silero VAD, Whisper tiny.en, TTS voices)")
        try:
            vad = await self._load_part("vad", self._loaders.vad)
            stt = await self._load_part("stt", self._loaders.stt)
            tts = await self._load_part("tts", self._loaders.tts)
        except ProviderError as error:
            log.warning("voice is off, conversations are text-only: %s", error)
            return None
        voices = ", ".join(voice.voice_id for voice in tts.voices())
        log.info("speech models ready; voices: %s", voices)
        return VoiceProviders(vad, stt, tts, tts.default_voice_id())

    async def _load_part(self, part: Part, load: Callable[[], Awaitable[M]]) -> M:
        self._parts[part] = ModelStatus("loading")
        try:
            model = await load()
        except ProviderError as error:
            self._parts[part] = ModelStatus("failed", str(error))
            raise
        except asyncio.CancelledError:
            self._parts[part] = ModelStatus("failed", "the load was cancelled")
            raise
        self._parts[part] = ModelStatus("ready")
        return model

    async def close(self) -> None:
        task = self._loading
        if task is None:
            return
        if not task.done():
            task.cancel()
            await asyncio.wait([task])
            return
        providers = None if task.cancelled() or task.exception() else task.result()
        if providers is not None:
            await providers.stt.aclose()
            await providers.tts.aclose()
