"""Running an ONNX TTS model off the event loop: one worker thread, one model run at a time.

Each clause is one job.  Jobs from concurrent conversations queue up in FIFO order, so they
interleave clause by clause instead of waiting for whole replies.  A cancelled job that has
not started is dropped; one that is running is stopped through onnxruntime's ``terminate``
flag, so barge-in frees the CPU within milliseconds rather than after the clause.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import onnxruntime as ort  # type: ignore[import-untyped]  # ships no type information

from parley.providers.tts.base import AudioChunk, FloatAudio, TTSError, TTSUnavailableError

logger = logging.getLogger(__name__)

Render = Callable[[str, float, ort.RunOptions], FloatAudio]


def load_session(model: Path, threads: int) -> ort.InferenceSession:
    """An onnxruntime session on the CPU with ``threads`` intra-op threads."""
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


class SerialRunner:
    """A single worker thread for one model."""

    def __init__(self, label: str) -> None:
        self._label = label
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix=f"tts-{label}")

    async def run(self, render: Render, text: str, speed: float) -> FloatAudio:
        options = ort.RunOptions()
        loop = asyncio.get_running_loop()
        job = loop.run_in_executor(self._executor, render, text, speed, options)
        try:
            return await job
        except asyncio.CancelledError:
            options.terminate = True  # stop a model run that is already under way
            raise
        except TTSError:
            raise
        except Exception as error:  # onnxruntime raises its own untyped exception classes
            raise TTSError(f"{self._label} synthesis failed: {error}") from error

    async def stream(
        self,
        render: Render,
        clauses: list[str],
        *,
        speed: float,
        sample_rate: int,
        voice_id: str,
    ) -> AsyncIterator[AudioChunk]:
        """Render ``clauses`` one after another, yielding each as soon as it is ready."""
        for clause in clauses:
            started = time.monotonic()
            samples = await self.run(render, clause, speed)
            if samples.size == 0:
                continue
            elapsed = time.monotonic() - started
            logger.debug("%s: %d samples in %.3f s", self._label, samples.size, elapsed)
            yield AudioChunk(samples, sample_rate, text=clause, voice_id=voice_id)

    async def aclose(self) -> None:
        await asyncio.to_thread(self._executor.shutdown, wait=True, cancel_futures=True)
