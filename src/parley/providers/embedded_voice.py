"""The embedded speech models (VAD, speech-to-text, text-to-speech), loaded once and shared."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

from parley.providers.stt.base import STTError
from parley.providers.stt.whisper import WhisperConfig, load_whisper_stt
from parley.providers.tts.base import TTSError, TTSOptions
from parley.providers.tts.router import load_local_tts
from parley.providers.vad.base import VADError
from parley.providers.vad.silero import SileroVAD
from parley.providers.voice import VoiceProviders

log = logging.getLogger(__name__)


class EmbeddedVoice:
    """Loads the voice models on first use (or at start-up), exactly once.

    A machine without them still serves text conversations: :meth:`get` returns None and says
    once, in the log, what to install.
    """

    def __init__(self, models_dir: Path, threads: int, tts_threads: int) -> None:
        self._models_dir = models_dir
        self._threads = threads
        self._tts_threads = tts_threads
        self._loading: asyncio.Task[VoiceProviders | None] | None = None

    async def get(self) -> VoiceProviders | None:
        if self._loading is None:
            self._loading = asyncio.create_task(self._load())
        return await asyncio.shield(self._loading)

    async def _load(self) -> VoiceProviders | None:
        log.info("loading the speech models (Silero VAD, Whisper tiny.en, TTS voices)")
        try:
            vad = await asyncio.to_thread(SileroVAD)
            stt = await load_whisper_stt(WhisperConfig(cpu_threads=self._threads))
            tts = await load_local_tts(self._models_dir, TTSOptions(threads=self._tts_threads))
        except (VADError, STTError, TTSError) as error:
            log.warning("voice is off, conversations are text-only: %s", error)
            return None
        voices = ", ".join(voice.voice_id for voice in tts.voices())
        log.info("speech models ready; voices: %s", voices)
        return VoiceProviders(vad, stt, tts, tts.default_voice_id())

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
