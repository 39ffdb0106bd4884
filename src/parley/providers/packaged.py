"""Model files that ship inside registry packages, often split into parts: join and verify."""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path

CHUNK_BYTES = 1 << 20


class CorruptAssemblyError(ValueError):
    """The joined file's sha256 is not the expected one (a part is damaged or the wrong one)."""

    def __init__(self, actual: str) -> None:
        super().__init__(f"sha256 {actual} does not match")
        self.actual = actual


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as source:
        while chunk := source.read(CHUNK_BYTES):
            digest.update(chunk)
    return digest.hexdigest()


def join_verified(
    parts: Sequence[Path],
    target: Path,
    sha256: str,
    on_part: Callable[[int], None] | None = None,
) -> None:
    """Concatenate ``parts`` into ``target``, hashing while writing.

    The file only gets its final name once the hash matched, so an existing ``target`` is always
    complete. ``on_part(i)`` is called after the i-th part (1-based), for progress.
    """
    digest = hashlib.sha256()
    fd, temp_name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".part")
    try:
        with os.fdopen(fd, "wb") as out:
            for index, part in enumerate(parts, start=1):
                with part.open("rb") as source:
                    while chunk := source.read(CHUNK_BYTES):
                        digest.update(chunk)
                        out.write(chunk)
                if on_part is not None:
                    on_part(index)
        if digest.hexdigest() != sha256:
            raise CorruptAssemblyError(digest.hexdigest())
        os.replace(temp_name, target)
    finally:
        Path(temp_name).unlink(missing_ok=True)
