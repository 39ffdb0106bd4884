"""A loaded ``llama_cpp.Llama`` whose prompt reading can be stopped part-way.

llama-cpp-python reads a prompt in ``llama_decode`` calls of n_batch (512) tokens and yields
nothing until the whole prompt is read: a stop flag checked between streamed tokens waits for
all of it, many seconds for a long prompt on two cores. llama.cpp's abort callback, which
``Llama`` does not wrap, is polled between two nodes of the compute graph instead.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Generator, Iterator
from types import ModuleType
from typing import Any

logger = logging.getLogger(__name__)

_log_callback: Any = None  # referenced for the process's lifetime, like LlamaModel's callback


def route_llama_log(llama_cpp: ModuleType) -> None:
    """Send llama.cpp's own log to :mod:`logging` at debug level, once per process.

    llama-cpp-python's handler prints it to stderr by a stale level table (warnings shown,
    errors hidden), and every interrupted prompt logs two errors and a warning. What really
    goes wrong reaches the caller as an exception, which says more.
    """
    global _log_callback
    if _log_callback is not None:
        return

    def log(_level: int, text: bytes, _data: object) -> None:
        if message := text.decode(errors="replace").rstrip():
            logger.debug("llama.cpp: %s", message)

    _log_callback = llama_cpp.llama_log_callback(log)
    llama_cpp.llama_log_set(_log_callback, None)


class LlamaModel:
    """``Llama``, with a chat stream that an event interrupts even while it reads the prompt."""

    def __init__(self, llama: Any, llama_cpp: ModuleType) -> None:
        self._llama = llama
        self._llama_cpp = llama_cpp
        self._interrupt = threading.Event()
        # Referenced here for the model's lifetime: llama.cpp keeps only the C pointer.
        self._callback = llama_cpp.ggml_abort_callback(self._should_abort)
        self._no_callback = llama_cpp.ggml_abort_callback()  # NULL

    def create_chat_completion(
        self, interrupt: threading.Event, **kwargs: Any
    ) -> Iterator[dict[str, Any]]:
        """``Llama.create_chat_completion(stream=True, ...)``; once ``interrupt`` is set, a
        prompt being read stops within milliseconds, raising ``RuntimeError("llama_decode
        returned 2")`` (between generated tokens the caller checks it itself)."""
        self._interrupt = interrupt
        return self._read_prompt_abortably(self._llama.create_chat_completion(**kwargs))

    def close(self) -> None:
        self._llama.close()

    def _read_prompt_abortably(
        self, chunks: Generator[dict[str, Any], None, None]
    ) -> Iterator[dict[str, Any]]:
        """The callback is set only until the first chunk, i.e. while the prompt is read. It
        runs once per graph node (hundreds per decode) and takes the GIL each time: 0.25 us
        when the GIL is free but ~70 us while another thread runs Python (timed through
        qsort). That is tens of ms on a generated token, but little on a prompt batch."""
        self._set_callback(self._callback)
        try:
            first = next(chunks, None)
        finally:
            self._set_callback(self._no_callback)
        try:
            if first is not None:
                yield first
                yield from chunks
        finally:
            chunks.close()  # in the thread that closes this stream, not in the GC's

    def _set_callback(self, callback: Any) -> None:
        self._llama_cpp.llama_set_abort_callback(self._llama.ctx, callback, None)

    def _should_abort(self, _data: object) -> bool:
        """Called by llama.cpp in the decoding thread, between two graph nodes."""
        if not self._interrupt.is_set():
            return False
        # The KV cache stays consistent: llama.cpp drops the aborted batch's positions and
        # Llama counts only the batches that completed, so the next prompt reuses exactly
        # those. But the output rows were cleared before the abort, so no logits are left:
        # make the next completion decode at least one token even if its whole prompt is
        # cached (the flag Llama itself sets after load_state).
        self._llama._requires_eval = True
        return True
