"""Kokoro-82M (int8 ONNX, Apache-2.0) with the English voices of ``kokoro-js@1.2.1``.

One model serves every voice: a voice is a float32 table of style vectors (510 x 256), and
the row used is the number of phoneme tokens.  Phonemes come from the ``espeak-ng`` process
(``en-us`` for American voices, ``en-gb`` for British ones) with kokoro-js's fix-ups; the
``speed`` input scales the tempo directly.  Output is 24 kHz.
"""

# ruff: noqa: RUF001  # IPA letters that look like ASCII ones are this module's data

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from parley.providers.tts.assets import (
    KOKORO_VOICE_BYTES,
    ensure_kokoro_model,
    kokoro_voices_dir,
)
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

SAMPLE_RATE = 24_000
MAX_TOKENS = 510  # the model's context, without the two padding tokens

# Kokoro's phoneme vocabulary (the model's config.json; id 0 is padding).
VOCAB: dict[str, int] = {
    ";": 1, ":": 2, ",": 3, ".": 4, "!": 5, "?": 6, "—": 9, "…": 10, '"': 11, "(": 12,
    ")": 13, "“": 14, "”": 15, " ": 16, "\u0303": 17, "ʣ": 18, "ʥ": 19, "ʦ": 20, "ʨ": 21,
    "ᵝ": 22, "ꭧ": 23, "A": 24, "I": 25, "O": 31, "Q": 33, "S": 35, "T": 36, "W": 39,
    "Y": 41, "ᵊ": 42, "a": 43, "b": 44, "c": 45, "d": 46, "e": 47, "f": 48, "h": 50,
    "i": 51, "j": 52, "k": 53, "l": 54, "m": 55, "n": 56, "o": 57, "p": 58, "q": 59,
    "r": 60, "s": 61, "t": 62, "u": 63, "v": 64, "w": 65, "x": 66, "y": 67, "z": 68,
    "ɑ": 69, "ɐ": 70, "ɒ": 71, "æ": 72, "β": 75, "ɔ": 76, "ɕ": 77, "ç": 78, "ɖ": 80,
    "ð": 81, "ʤ": 82, "ə": 83, "ɚ": 85, "ɛ": 86, "ɜ": 87, "ɟ": 90, "ɡ": 92, "ɥ": 99,
    "ɨ": 101, "ɪ": 102, "ʝ": 103, "ɯ": 110, "ɰ": 111, "ŋ": 112, "ɳ": 113, "ɲ": 114,
    "ɴ": 115, "ø": 116, "ɸ": 118, "θ": 119, "œ": 120, "ɹ": 123, "ɾ": 125, "ɻ": 126,
    "ʁ": 128, "ɽ": 129, "ʂ": 130, "ʃ": 131, "ʈ": 132, "ʧ": 133, "ʊ": 135, "ʋ": 136,
    "ʌ": 138, "ɣ": 139, "ɤ": 140, "χ": 142, "ʎ": 143, "ʒ": 147, "ʔ": 148, "ˈ": 156,
    "ˌ": 157, "ː": 158, "ʰ": 162, "ʲ": 164, "↓": 169, "→": 171, "↗": 172, "↘": 173,
    "ᵻ": 177,
}  # fmt: skip


@dataclass(frozen=True)
class KokoroVoiceInfo:
    name: str
    grade: str  # kokoro-js's overall quality grade, A (best) to F


# The English voices of kokoro-js 1.2.1 (its VOICES table): id -> name and grade.
# The id says the rest: a = American, b = British; f = female, m = male.
CATALOGUE: dict[str, KokoroVoiceInfo] = {
    voice_id: KokoroVoiceInfo(name, grade)
    for voice_id, name, grade in (
        ("af_heart", "Heart", "A"), ("af_bella", "Bella", "A-"), ("af_nicole", "Nicole", "B-"),
        ("af_aoede", "Aoede", "C+"), ("af_kore", "Kore", "C+"), ("af_sarah", "Sarah", "C+"),
        ("af_alloy", "Alloy", "C"), ("af_nova", "Nova", "C"), ("af_sky", "Sky", "C-"),
        ("af_jessica", "Jessica", "D"), ("af_river", "River", "D"),
        ("am_fenrir", "Fenrir", "C+"), ("am_michael", "Michael", "C+"), ("am_puck", "Puck", "C+"),
        ("am_echo", "Echo", "D"), ("am_eric", "Eric", "D"), ("am_liam", "Liam", "D"),
        ("am_onyx", "Onyx", "D"), ("am_santa", "Santa", "D-"), ("am_adam", "Adam", "F+"),
        ("bf_emma", "Emma", "B-"), ("bf_isabella", "Isabella", "C"), ("bf_alice", "Alice", "D"),
        ("bf_lily", "Lily", "D"), ("bm_george", "George", "C"), ("bm_fable", "Fable", "C"),
        ("bm_lewis", "Lewis", "D+"), ("bm_daniel", "Daniel", "D"),
    )
}  # fmt: skip

# kokoro-js's fix-ups of espeak-ng output for the Kokoro vocabulary.
_FIXUPS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), replacement)
    for pattern, replacement in (
        ("kəkˈoːɹoʊ", "kˈoʊkəɹoʊ"),
        ("kəkˈɔːɹəʊ", "kˈəʊkəɹəʊ"),
        ("ʲ", "j"),
        ("r", "ɹ"),
        ("x", "k"),
        ("ɬ", "l"),
        (r"(?<=[a-zɹː])(?=hˈʌndɹɪd)", " "),
        (r' z(?=[;:,.!?¡¿—…"«»“” ]|$)', "z"),
    )
)
_AMERICAN_NINETY = re.compile(r"(?<=nˈaɪn)ti(?!ː)")


def kokoro_phonemes(ipa: str, *, american: bool) -> str:
    for pattern, replacement in _FIXUPS:
        ipa = pattern.sub(replacement, ipa)
    if american:
        ipa = _AMERICAN_NINETY.sub("di", ipa)
    return ipa.strip()


def kokoro_voice(voice_id: str) -> Voice:
    info = CATALOGUE[voice_id]
    american = voice_id.startswith("a")
    gender: Gender = "female" if voice_id[1] == "f" else "male"
    accent = "American" if american else "British"
    return Voice(
        voice_id=voice_id,
        name=info.name,
        language="en-US" if american else "en-GB",
        gender=gender,
        sample_rate=SAMPLE_RATE,
        engine="kokoro",
        description=f"Kokoro-82M, {accent} English {gender}, quality grade {info.grade}",
    )


class KokoroTTS(RenderingTTS):
    """The Kokoro model (92 MB, about 0.4 s to load) and the voice files found next to it."""

    def __init__(
        self,
        model: Path,
        voices_dir: Path,
        options: TTSOptions | None = None,
        phonemizer: EspeakPhonemizer | None = None,
    ) -> None:
        """Load the model now (blocking: call it through :meth:`load` from async code)."""
        self._voice_files = {
            voice_id: path
            for voice_id in CATALOGUE
            if (path := voices_dir / f"{voice_id}.bin").is_file()
        }
        if not self._voice_files:
            raise TTSUnavailableError(
                f"no Kokoro voices in {voices_dir}; fetch them with: "
                "python -m parley.providers.tts.install_kokoro --cache-dir <models dir>"
            )
        options = options or TTSOptions()
        self._phonemizer = phonemizer or EspeakPhonemizer()
        self._session = load_session(model, options.threads)
        self._styles: dict[str, FloatAudio] = {}
        super().__init__(
            "kokoro",
            [kokoro_voice(voice_id) for voice_id in self._voice_files],
            TTSCapabilities(sample_rates=(SAMPLE_RATE,), languages=("en-US", "en-GB")),
            options,
        )

    @classmethod
    async def load(cls, cache_dir: Path, options: TTSOptions | None = None) -> KokoroTTS:
        """Assemble the model from its part packages if needed, then load it, in a thread."""
        model = await asyncio.to_thread(ensure_kokoro_model, cache_dir)
        return await asyncio.to_thread(cls, model, kokoro_voices_dir(cache_dir), options)

    def prepare(self, voice_id: str) -> None:
        """Read the voice's style table (once), so a damaged file fails before any audio."""
        if voice_id not in self._styles:
            path = self._voice_files[voice_id]
            if path.stat().st_size != KOKORO_VOICE_BYTES:
                raise TTSUnavailableError(f"damaged Kokoro voice file: {path}")
            self._styles[voice_id] = np.fromfile(path, dtype=np.float32).reshape(-1, 256)

    def render(self, text: str, voice_id: str, speed: float, stop: StopSignal) -> FloatAudio:
        american = voice_id.startswith("a")
        ipa = self._phonemizer.phonemize(text, "en-us" if american else "en-gb")
        tokens = _tokens(kokoro_phonemes(ipa, american=american))
        if not tokens:
            return np.zeros(0, dtype=np.float32)
        style = self._styles[voice_id]
        inputs = {
            "tokens": np.array([[0, *tokens, 0]], dtype=np.int64),
            "style": style[min(len(tokens), len(style) - 1)].reshape(1, -1),
            "speed": np.array([speed], dtype=np.float32),
        }
        return run_session(self._session, inputs, stop)


def _tokens(phonemes: str) -> list[int]:
    """Token ids; a clause is at most ~240 characters, far below the model's 510 tokens."""
    return [VOCAB[symbol] for symbol in phonemes if symbol in VOCAB][:MAX_TOKENS]
