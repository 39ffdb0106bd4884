"""The ONNX part of Piper and Kokoro: load a model on the CPU, run it so that it can be stopped.

onnxruntime is imported when a model is loaded, not with this module, so a server without the
speech extras still starts (and says what to install when a voice is asked for).  A clause that
nobody waits for any more is stopped through onnxruntime's ``terminate`` flag, so barge-in frees
the CPU within milliseconds rather than after the clause.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np

from parley.providers.tts.base import FloatAudio, TTSUnavailableError
from parley.providers.tts.rendering import StopSignal

INSTALL_HINT = "install it with: pip install onnxruntime"


def _onnxruntime() -> ModuleType:
    try:  # imported by name: onnxruntime is optional, and ships no type information
        return importlib.import_module("onnxruntime")
    except ImportError as error:
        raise TTSUnavailableError(f"the TTS voices need onnxruntime; {INSTALL_HINT}") from error


def load_session(model: Path, threads: int) -> Any:
    """An onnxruntime session on the CPU with ``threads`` intra-op threads."""
    ort = _onnxruntime()
    if not model.is_file():
        raise TTSUnavailableError(f"TTS model file not found: {model}")
    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    options.log_severity_level = 3  # errors only: onnxruntime warns about unused initializers
    try:
        return ort.InferenceSession(
            str(model), sess_options=options, providers=["CPUExecutionProvider"]
        )
    except Exception as error:  # onnxruntime raises its own untyped exception classes
        raise TTSUnavailableError(f"cannot load TTS model {model}: {error}") from error


def run_session(session: Any, inputs: Mapping[str, Any], stop: StopSignal) -> FloatAudio:
    """Run ``session`` once; ``stop`` terminates a run that is under way."""
    options = _onnxruntime().RunOptions()
    stop.on_set(lambda: setattr(options, "terminate", True))
    audio = session.run(None, dict(inputs), options)[0]
    return np.asarray(audio, dtype=np.float32).reshape(-1)
