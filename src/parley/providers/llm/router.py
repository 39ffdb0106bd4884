"""Which model answers an agent: its ``llm`` name, its ``custom_llm``, and its backups.

- ``custom-llm``: the agent's own OpenAI-compatible endpoint, asked a second time after a
  failure that may pass (the platform, too, retries a custom LLM on itself);
- a name the operator mapped in ``PARLEY_LLM_ENDPOINTS``: that endpoint;
- any other name: the embedded local model.

``backup_llm_config`` adds fallbacks: ``default`` falls back to the local model,
``override`` to the listed names in order, ``disabled`` to nothing. A ``custom-llm`` skips
the default fallback, as on the platform (a prompt written for the agent's own model may not
suit the small local one): only an explicit ``override`` list backs it up. A local model that
is only a backup is loaded when the chain reaches it, not when the call starts: a server of
remote models may never need it.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from typing import Any, Protocol

import httpx

from parley.clock import Clock, SystemClock
from parley.providers.llm.base import (
    LLM,
    LLMChunk,
    LLMError,
    LLMRequest,
    LLMTimeoutError,
    LLMUnavailableError,
)
from parley.providers.llm.cascade import CascadeLLM, close_stream
from parley.providers.llm.openai_compat import OpenAICompatibleLLM, OpenAIEndpoint
from parley.schemas.agent_config import (
    BackupLLMDisabled,
    BackupLLMOverride,
    ConvAIDynamicVariable,
    ConvAISecretLocator,
    CustomLLM,
    PromptAgentAPIModelInput,
)
from parley.settings import EndpointSettings

SecretLookup = Callable[[str], Awaitable[str | None]]

log = logging.getLogger(__name__)


class LocalModel(Protocol):
    """The embedded model (:class:`~parley.providers.llm.embedded.EmbeddedModel`)."""

    @property
    def name(self) -> str:
        """The name the loaded model will have, known before it is loaded."""
        ...

    async def get(self) -> LLM:
        """The model, loaded on the first call."""
        ...


class LLMRouter:
    def __init__(
        self,
        endpoints: Mapping[str, EndpointSettings],
        local_model: LocalModel,
        http: httpx.AsyncClient,
        secret: SecretLookup,
        timeout_seconds: float = 20.0,
        clock: Clock | None = None,
    ) -> None:
        self._endpoints = endpoints
        self._local_model = local_model
        self._http = http
        self._secret = secret
        self._timeout = timeout_seconds
        self._clock = clock or SystemClock()

    async def for_prompt(
        self, prompt: PromptAgentAPIModelInput, variables: Mapping[str, Any]
    ) -> LLM:
        """The model chain for one conversation."""
        name = str(prompt.llm) if prompt.llm else None
        custom = name == "custom-llm" or (name is None and prompt.custom_llm is not None)
        if custom:
            if prompt.custom_llm is None:
                raise LLMUnavailableError(
                    "llm is custom-llm but the agent has no custom_llm", retryable=False
                )
            chain: list[LLM] = [RetriedOnce(await self._custom(prompt.custom_llm, variables))]
        else:
            chain = [self._mapped(name) or await self._local_model.get()]
        backup = prompt.backup_llm_config
        if isinstance(backup, BackupLLMOverride):
            chain += [self._mapped(str(other)) or self._local_backup() for other in backup.order]
        elif not isinstance(backup, BackupLLMDisabled) and name in self._endpoints and not custom:
            chain.append(self._local_backup())
        unique: dict[str, LLM] = {}  # the first model of each name (it may have been warmed)
        for llm in chain:
            unique.setdefault(llm.name, llm)
        return CascadeLLM(list(unique.values()), self._timeout, self._clock)

    def _local_backup(self) -> LLM:
        return OnFirstUse(self._local_model)

    def _mapped(self, name: str | None) -> LLM | None:
        """The operator's endpoint for ``name``; None for a name the local model answers."""
        endpoint = self._endpoints.get(name or "")
        if endpoint is None:
            return None
        key = endpoint.api_key.get_secret_value() if endpoint.api_key else None
        return self._openai(endpoint.url, endpoint.model_id, key, endpoint.headers)

    async def _custom(self, custom: CustomLLM, variables: Mapping[str, Any]) -> LLM:
        key = await self._resolve_secret(custom.api_key) if custom.api_key else None
        headers = {}
        for header, value in (custom.request_headers or {}).items():
            if isinstance(value, ConvAISecretLocator):
                headers[header] = await self._resolve_secret(value)
            elif isinstance(value, ConvAIDynamicVariable):
                headers[header] = str(variables.get(value.variable_name, ""))
            else:
                headers[header] = value
        return self._openai(custom.url, custom.model_id, key, headers)

    async def _resolve_secret(self, locator: ConvAISecretLocator) -> str:
        value = await self._secret(locator.secret_id)
        if value is None:
            raise LLMUnavailableError(
                f"secret {locator.secret_id!r} does not exist; "
                "create it with POST /v1/convai/secrets",
                retryable=False,
            )
        return value

    def _openai(
        self, url: str, model_id: str | None, key: str | None, headers: Mapping[str, str]
    ) -> LLM:
        endpoint = OpenAIEndpoint(url, model_id, key, dict(headers), self._timeout)
        return OpenAICompatibleLLM(endpoint, self._http)


class RetriedOnce:
    """An LLM asked a second time when its first attempt fails before it has said anything,
    with an error another attempt may cure (a refused or dropped connection, HTTP 408, 429 or
    5xx): a blip of the agent's own server should not cost the user a reply. A model that has
    started answering, a timeout (the time is spent) and a request refused for good (HTTP 4xx,
    a bad URL) are not retried. Both attempts run inside the cascade's wait for the first
    token, so together they never take longer than ``PARLEY_LLM_TIMEOUT_SECONDS``.
    """

    def __init__(self, llm: LLM) -> None:
        self._llm = llm

    @property
    def name(self) -> str:
        return self._llm.name

    async def prefill(self, request: LLMRequest) -> None:
        await self._llm.prefill(request)

    async def stream(self, request: LLMRequest) -> AsyncIterator[LLMChunk]:
        for attempt in (1, 2):
            produced = False
            stream = aiter(self._llm.stream(request))
            try:
                async for chunk in stream:
                    produced = True
                    yield chunk
                return
            except LLMError as error:
                if produced or attempt == 2 or not _worth_retrying(error):
                    raise
                log.warning("LLM retry: %s failed before answering: %s", self.name, error)
            finally:
                await close_stream(stream)


def _worth_retrying(error: LLMError) -> bool:
    return error.retryable and not isinstance(error, LLMTimeoutError)


class OnFirstUse:
    """The local model as a backup: loaded when the chain first asks it, so a call that never
    needs it does not wait for it, nor hold its memory. (``PARLEY_PRELOAD_MODELS``, the
    default, loads it at start-up anyway.)"""

    def __init__(self, model: LocalModel) -> None:
        self._model = model

    @property
    def name(self) -> str:
        return self._model.name

    async def prefill(self, request: LLMRequest) -> None:
        """Nothing: warming a backup would load it for a call that may never need it."""

    async def stream(self, request: LLMRequest) -> AsyncIterator[LLMChunk]:
        llm = await self._model.get()
        stream = aiter(llm.stream(request))
        try:
            async for chunk in stream:
                yield chunk
        finally:
            await close_stream(stream)
