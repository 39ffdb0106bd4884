"""Where a model that loads on first use stands, read without starting the load.

The console's settings page (and readiness checks) ask this; asking must never load a model.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any, Literal

LoadState = Literal["not loaded", "loading", "ready", "failed"]


def load_state(task: asyncio.Task[Any] | None) -> LoadState:
    """The state of a loading task: None means nobody asked for the model yet."""
    if task is None:
        return "not loaded"
    if not task.done():
        return "loading"
    if task.cancelled() or task.exception() is not None:
        return "failed"
    return "ready"


ModelState = LoadState | Literal["not installed"]


@dataclass(frozen=True)
class ModelStatus:
    """Where one model stands, for readiness checks; ``detail`` says why it is not ready."""

    state: ModelState
    detail: str | None = None
