"""An in-process LLM: a GGUF model run by llama-cpp-python on the CPU.

llama.cpp is blocking and not thread-safe, so each model runs one generation at a time in a
worker thread and hands its tokens to the event loop through a queue.  The reply goes
through :class:`ToolCallStream`: ordinary speech is yielded token by token, while the JSON
tool calls the Qwen models write as text are held back, parsed and yielded as
:class:`ToolCall` objects (their text is never spoken).
"""

from __future__ import annotations

import asyncio
import functools
import importlib
import logging
import os
import secrets
import threading
import time
from collections.abc import AsyncGenerator, Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import aclosing
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from parley.providers.llm.base import (
    ChatMessage,
    LLMChunk,
    LLMError,
    LLMRequest,
    LLMUnavailableError,
    TextDelta,
    ToolCall,
    ToolSpec,
    chat_message_json,
    tool_json,
)
from parley.providers.llm.llama_model import LlamaModel, route_llama_log
from parley.providers.llm.local_models import (
    PackagedModel,
    Progress,
    ensure_gguf,
    model_label,
    resolve_model,
)
from parley.providers.llm.tool_calls import ToolCallStream

logger = logging.getLogger(__name__)

DEFAULT_TEMPERATURE = 0.2  # near-greedy: steadier tool calls, a little less repetition than 0
DEFAULT_MAX_TOKENS = 256  # about a minute of speech; a voice reply should be far shorter
DEFAULT_N_CTX = 4096
# Appended as a user turn after tool results.  Without it the 0.5B model repeats the call and
# echoes the result JSON, and the 1.5B one sometimes does; with it both answer from the result.
# It comes last, so the KV-cache prefix of the next turn is unaffected.
TOOL_RESULT_NUDGE = "Using that result, answer my question in plain words."

# With verbose=False, llama-cpp-python points the process's stdout/stderr at /dev/null while
# a model loads and restores them afterwards; two loads at once could restore the wrong ones.
_LOAD_LOCK = threading.Lock()


class ChatCompletionModel(Protocol):
    """A :class:`LlamaModel` or a test's stand-in (its stream is loosely typed)."""

    def create_chat_completion(self, interrupt: threading.Event, **kwargs: Any) -> Any: ...

    def close(self) -> None: ...


ModelLoader = Callable[[Path], ChatCompletionModel]


@dataclass(frozen=True)
class _Failed:
    error: BaseException


class _End:
    pass


_Item = str | _Failed | _End


def new_call_id() -> str:
    return f"call_{secrets.token_hex(12)}"


def default_threads() -> tuple[int, int]:
    """(decode, prompt) threads: decode leaves one core to the rest of the call.

    llama.cpp's threads wait for each other at every step, so with as many threads as cores
    a decode collapses as soon as anything else runs (TTS of the previous clause, another
    call's VAD): measured on 2 busy cores, 1.1-1.7 tokens/s with 2 threads against 8-15 with
    one. Prompt processing is short and gains more from every core.
    """
    cores = os.cpu_count() or 1
    return max(1, cores - 1), cores


def load_llama(
    path: Path, *, n_ctx: int, n_threads: int, n_threads_batch: int
) -> ChatCompletionModel:
    """Open a GGUF file with llama-cpp-python (blocking; about 0.5-3 s)."""
    try:  # imported by name: llama-cpp-python is optional, also for type checking
        llama_cpp = importlib.import_module("llama_cpp")
    except ImportError as error:
        raise LLMUnavailableError(
            "local models need llama-cpp-python: pip install llama-cpp-python==0.3.36",
            retryable=False,
        ) from error
    if not path.is_file():
        raise LLMUnavailableError(f"model file not found: {path}", retryable=False)
    route_llama_log(llama_cpp)
    try:
        with _LOAD_LOCK:
            llama = llama_cpp.Llama(
                model_path=str(path),
                n_ctx=n_ctx,
                n_threads=n_threads,
                n_threads_batch=n_threads_batch,
                verbose=False,
            )
    except (ValueError, RuntimeError) as error:  # llama.cpp could not read the file
        raise LLMUnavailableError(f"cannot load model {path}: {error}", retryable=False) from error
    return LlamaModel(llama, llama_cpp)


@dataclass(frozen=True)
class LlamaSettings:
    """How llama.cpp loads the model: context size and threads (None: picked for this CPU)."""

    n_ctx: int = DEFAULT_N_CTX
    n_threads: int | None = None  # generating tokens
    n_threads_batch: int | None = None  # reading the prompt


class LocalLlamaLLM:
    """A GGUF chat model served in-process; implements :class:`~parley.providers.llm.base.LLM`.

    Loading takes a second or more and should happen before the first call: ``await load()``
    (idempotent; concurrent callers share one load) or build it with :meth:`from_model`.
    ``stream`` loads the model itself if nobody did.  All llama.cpp work runs on one
    dedicated thread, so it never waits behind other blocking work in the default executor.
    """

    def __init__(
        self,
        model_path: Path,
        *,
        label: str | None = None,
        llama: LlamaSettings | None = None,
        temperature: float = DEFAULT_TEMPERATURE,
        max_tokens: int = DEFAULT_MAX_TOKENS,
        tool_result_nudge: str | None = TOOL_RESULT_NUDGE,
        call_ids: Callable[[], str] = new_call_id,
        loader: ModelLoader | None = None,
    ) -> None:
        self._model_path = model_path
        self._name = f"local:{label or model_path.stem}"
        decode, prompt = default_threads()
        self._temperature = temperature
        self._max_tokens = max_tokens
        self._tool_result_nudge = tool_result_nudge
        self._call_ids = call_ids
        llama = llama or LlamaSettings()
        self._loader = loader or functools.partial(
            load_llama,
            n_ctx=llama.n_ctx,
            n_threads=llama.n_threads or decode,
            n_threads_batch=llama.n_threads_batch or prompt,
        )
        self._model: ChatCompletionModel | None = None
        self._loading: asyncio.Future[ChatCompletionModel] | None = None
        self._thread: ThreadPoolExecutor | None = None
        self._lock = asyncio.Lock()  # one generation at a time: llama.cpp is not thread-safe

    @classmethod
    async def from_model(
        cls,
        model: str | Path | PackagedModel,
        cache_dir: Path,
        *,
        progress: Progress | None = None,
        **options: Any,
    ) -> LocalLlamaLLM:
        """Assemble a packaged model (or take a ``.gguf`` path), then load it."""
        spec = resolve_model(model)
        path = await asyncio.to_thread(ensure_gguf, spec, cache_dir, progress or logger.info)
        llm = cls(path, label=model_label(spec), **options)
        await llm.load()
        return llm

    @property
    def name(self) -> str:
        return self._name

    @property
    def ready(self) -> bool:
        return self._model is not None

    async def load(self) -> None:
        """Load the model in its thread; safe to call many times and concurrently."""
        await self._loaded_model()

    async def _loaded_model(self) -> ChatCompletionModel:
        if self._model is not None:
            return self._model
        if self._loading is None:
            loop = asyncio.get_running_loop()
            self._loading = loop.run_in_executor(self._executor(), self._load_blocking)
        try:
            self._model = await asyncio.shield(self._loading)
        except Exception:
            self._loading = None  # let a later call try again (e.g. after installing)
            raise
        return self._model

    def _executor(self) -> ThreadPoolExecutor:
        if self._thread is None:
            self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="llama")
        return self._thread

    def _load_blocking(self) -> ChatCompletionModel:
        started = time.monotonic()
        try:
            model = self._loader(self._model_path)
        except LLMError:
            raise
        except Exception as error:
            # an unexpected failure (not a missing or unreadable file): a later load may pass
            message = f"cannot load {self._name}: {error}"
            raise LLMUnavailableError(message, retryable=True) from error
        logger.info("loaded %s in %.2f s", self._name, time.monotonic() - started)
        return model

    async def aclose(self) -> None:
        """Wait for a running generation to end, then free the model and its thread."""
        async with self._lock:
            self.close()

    def close(self) -> None:
        """Free the model's memory now instead of whenever the garbage collector runs."""
        if self._model is not None:
            self._model.close()
            self._model = None
        self._loading = None
        if self._thread is not None:
            self._thread.shutdown(wait=False)
            self._thread = None

    async def stream(self, request: LLMRequest) -> AsyncGenerator[LLMChunk, None]:
        """Yield speech as it is generated, then the tool calls found in the reply."""
        model = await self._loaded_model()
        tool_stream = ToolCallStream([tool.name for tool in request.tools])
        async with aclosing(self._generate(model, self._completion_args(request))) as deltas:
            async for delta in deltas:
                if text := tool_stream.feed(delta):
                    yield TextDelta(text)
        rest, calls = tool_stream.finish()
        if rest:
            yield TextDelta(rest)
        for call in calls:
            yield ToolCall(call_id=self._call_ids(), name=call.name, arguments=call.arguments)

    async def prefill(self, request: LLMRequest) -> None:
        """Evaluate the prompt into llama.cpp's KV cache (one token is sampled, never read
        back): the next completion reuses every token of it up to the first that differs.
        Measured with the 1.5B model on 2 cores: the first token of a reply after a prefill
        with the user's words but the last two came in 0.22 s instead of 0.41-0.48 s.
        Skipped while the model is generating: a prefill never delays a reply."""
        if self._model is None or self._lock.locked():
            return
        args = self._completion_args(request) | {"max_tokens": 1}
        async with aclosing(self._generate(self._model, args)) as tokens:
            async for _ in tokens:
                pass

    def _completion_args(self, request: LLMRequest) -> dict[str, Any]:
        messages = [to_llama_message(message) for message in request.messages]
        if request.messages and request.messages[-1].role == "tool" and self._tool_result_nudge:
            messages.append({"role": "user", "content": self._tool_result_nudge})
        temperature = self._temperature if request.temperature is None else request.temperature
        args: dict[str, Any] = {
            "messages": messages,
            "temperature": temperature,
            "max_tokens": request.max_tokens or self._max_tokens,
        }
        if request.tools:
            args["tools"] = [to_llama_tool(tool) for tool in request.tools]
        return args

    async def _generate(
        self, model: ChatCompletionModel, args: dict[str, Any]
    ) -> AsyncGenerator[str, None]:
        """Run one completion in the model's thread; closing this stops it within a few
        milliseconds, also while it reads the prompt, and the next caller gets the model."""
        loop = asyncio.get_running_loop()
        queue: asyncio.Queue[_Item] = asyncio.Queue()
        stop = threading.Event()
        await self._lock.acquire()
        try:
            worker = loop.run_in_executor(
                self._executor(), _run_completion, model, args, stop, _sender(loop, queue)
            )
        except BaseException:
            self._lock.release()
            raise
        # The lock is held until the thread has really finished, even if we are cancelled.
        worker.add_done_callback(lambda _: self._lock.release())
        try:
            while not isinstance(item := await queue.get(), _End):
                if isinstance(item, _Failed):
                    raise _translate(item.error)
                yield item
        finally:
            stop.set()
            await asyncio.wait([worker])


def _sender(
    loop: asyncio.AbstractEventLoop, queue: asyncio.Queue[_Item]
) -> Callable[[_Item], bool]:
    """Hand an item from the worker thread to the loop; False once the loop is gone."""

    def send(item: _Item) -> bool:
        try:
            loop.call_soon_threadsafe(queue.put_nowait, item)
        except RuntimeError:  # the event loop was closed under us
            return False
        return True

    return send


def _run_completion(
    model: ChatCompletionModel,
    args: dict[str, Any],
    stop: threading.Event,
    send: Callable[[_Item], bool],
) -> None:
    """Worker thread: iterate llama's stream, forwarding text until done or told to stop.

    Its speed (first token, tokens per second) is measured where the reply is consumed:
    :mod:`parley.providers.timings`."""
    try:
        # stop also interrupts the reading of a long prompt: the model is free at once
        chunks: Iterator[dict[str, Any]] = model.create_chat_completion(
            interrupt=stop, **args, stream=True
        )
        try:
            for chunk in chunks:
                text = chunk["choices"][0]["delta"].get("content")
                if stop.is_set() or (text and not send(text)):
                    break
        finally:
            close = getattr(chunks, "close", None)  # a generator: free it in this thread
            if close is not None:
                close()
    except Exception as error:  # handed to the consumer, which raises it as an LLMError
        if not stop.is_set():  # else it is the aborted decode, and nobody is listening
            send(_Failed(error))
    finally:
        send(_End())


def _translate(error: BaseException) -> LLMError:
    """llama raises ValueError for requests it can never serve (e.g. prompt > context)."""
    if isinstance(error, LLMError):
        return error
    return LLMError(f"local model failed: {error}", retryable=not isinstance(error, ValueError))


def to_llama_message(message: ChatMessage) -> dict[str, Any]:
    """The message as the GGUF's chat template renders it.

    The Qwen2.5 template renders ``tool`` messages as ``<tool_response>`` blocks in a user
    turn and assistant ``tool_calls`` as ``<tool_call>`` blocks, so both are passed through
    natively.  It applies ``tojson`` to the arguments, so they stay an object here.
    """
    return chat_message_json(message, arguments_as_text=False)


def to_llama_tool(tool: ToolSpec) -> dict[str, Any]:
    return tool_json(tool)
