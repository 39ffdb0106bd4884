"""The embedded local model, shared by every conversation and loaded once."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

from parley.providers import extras
from parley.providers.llm.base import LLM, LLMUnavailableError
from parley.providers.llm.local import LlamaSettings, LocalLlamaLLM
from parley.providers.llm.local_models import model_label, resolve_model
from parley.providers.llm.speed import ModelSpeed, measure_speed
from parley.providers.loading import LoadState, ModelStatus, load_state

log = logging.getLogger(__name__)


class EmbeddedModel:
    """Loads ``model`` (a packaged model key or a .gguf path) on first use, exactly once."""

    def __init__(
        self,
        model: str,
        cache_dir: Path,
        threads: int | None,
        prompt_threads: int | None = None,
    ) -> None:
        self._model = model
        self._cache_dir = cache_dir
        self._threads = threads
        self._prompt_threads = prompt_threads
        self._loading: asyncio.Task[LocalLlamaLLM] | None = None
        self._measuring: asyncio.Task[ModelSpeed | None] | None = None

    async def get(self) -> LLM:
        if self._loading is None or self._failed():
            self._loading = asyncio.create_task(self._load())
        return await asyncio.shield(self._loading)

    @property
    def name(self) -> str:
        """The loaded model's :attr:`LocalLlamaLLM.name`, known before it is loaded (the
        router names a backup that it loads only if the chain reaches it)."""
        return f"local:{model_label(resolve_model(self._model))}"

    @property
    def model(self) -> str:
        return self._model

    @property
    def state(self) -> LoadState:
        return load_state(self._loading)

    @property
    def speed(self) -> ModelSpeed | None:
        """What :meth:`measure` found; None until it has (or if it could not)."""
        task = self._measuring
        if task is None or not task.done() or task.cancelled():
            return None
        return task.result()

    def _failed(self) -> bool:
        """A load that failed (or was cancelled) is retried by the next caller."""
        task = self._loading
        return task is not None and task.done() and (task.cancelled() or bool(task.exception()))

    @property
    def status(self) -> ModelStatus:
        """Where the model stands: also "not installed" without llama.cpp, and why a load
        failed (for readiness checks; asking never starts a load)."""
        if problem := extras.missing(extras.LLM_MODULES):
            return ModelStatus("not installed", problem)
        task = self._loading
        if task is None or not task.done():
            return ModelStatus(load_state(task))
        if task.cancelled():
            return ModelStatus("failed", "the load was cancelled")
        error = task.exception()
        return ModelStatus("ready") if error is None else ModelStatus("failed", str(error))

    async def _load(self) -> LocalLlamaLLM:
        if problem := extras.missing(extras.LLM_MODULES):
            raise LLMUnavailableError(  # short: it ends up in a WebSocket close reason
                f"{problem} (or map the agent's llm in PARLEY_LLM_ENDPOINTS)", retryable=False
            )
        log.info(
            "loading the local LLM %s (first use assembles it in %s)", self._model, self._cache_dir
        )
        return await LocalLlamaLLM.from_model(
            self._model,
            self._cache_dir,
            progress=log.info,
            llama=LlamaSettings(n_threads=self._threads, n_threads_batch=self._prompt_threads),
        )

    async def measure(self) -> ModelSpeed | None:
        """Time one short generation (once; later calls give that figure). The start-up calls
        it after every model has loaded, so that nothing else competes for the CPU."""
        if self._measuring is None:
            self._measuring = asyncio.create_task(measure_speed(await self.get()))
        return await asyncio.shield(self._measuring)

    async def close(self) -> None:
        if self._measuring is not None:
            self._measuring.cancel()
            await asyncio.wait([self._measuring])
        task = self._loading
        if task is None:
            return
        if not task.done():
            task.cancel()
        elif not self._failed():
            await task.result().aclose()
