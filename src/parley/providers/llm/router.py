"""Which model answers an agent: its ``llm`` name, its ``custom_llm``, and its backups.

- ``custom-llm``: the agent's own OpenAI-compatible endpoint, asked a second time after a
  failure that may pass (the platform, too, retries a custom LLM on itself);
- a name the operator mapped in ``PARLEY_LLM_ENDPOINTS``: that endpoint;
- any other name: the embedded local model.

``backup_llm_config`` adds fallbacks: ``default`` falls back to the local model,
``override`` to the listed names in order, ``disabled`` to nothing. A ``custom-llm`` skips
the default fallback, as on the platform (a prompt written for the agent's own model may not
suit the small local one): only an explicit ``override`` list backs it up.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from typing import Any

import httpx

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

LocalModel = Callable[[], Awaitable[LLM]]
SecretLookup = Callable[[str], Awaitable[str | None]]

log = logging.getLogger(__name__)


class LLMRouter:
    def __init__(
        self,
        endpoints: Mapping[str, EndpointSettings],
        local_model: LocalModel,
        http: httpx.AsyncClient,
        secret: SecretLookup,
        timeout_seconds: float = 20.0,
    ) -> None:
        self._endpoints = endpoints
        self._local_model = local_model
        self._http = http
        self._secret = secret
        self._timeout = timeout_seconds

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
            chain = [await self._named(name)]
        backup = prompt.backup_llm_config
        if isinstance(backup, BackupLLMOverride):
            chain += [await self._named(str(other)) for other in backup.order]
        elif not isinstance(backup, BackupLLMDisabled) and name in self._endpoints and not custom:
            chain.append(await self._local_model())
        unique = list({llm.name: llm for llm in chain}.values())
        return CascadeLLM(unique, self._timeout)

    async def _named(self, name: str | None) -> LLM:
        endpoint = self._endpoints.get(name or "")
        if endpoint is None:
            return await self._local_model()
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
