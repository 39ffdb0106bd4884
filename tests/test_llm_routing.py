"""Model selection and fallback: the router's choices and the cascade's behaviour."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from parley.providers.llm.base import (
    LLM,
    ChatMessage,
    LLMChunk,
    LLMEmptyReplyError,
    LLMError,
    LLMRequest,
    LLMTimeoutError,
    LLMUnavailableError,
    TextDelta,
)
from parley.providers.llm.cascade import CascadeLLM
from parley.providers.llm.router import EndpointSettings, LLMRouter
from parley.schemas.agent_config import PromptAgentAPIModelInput
from tests.fake_llm import FakeLLM, Reply, say

REQUEST = LLMRequest(messages=(ChatMessage("user", "hi"),))


class Named(FakeLLM):
    def __init__(self, label: str, replies: list[Reply]) -> None:
        super().__init__(replies)
        self._label = label

    @property
    def name(self) -> str:
        return self._label


class Hanging:
    name = "hanging"

    async def stream(self, request: LLMRequest) -> AsyncIterator[LLMChunk]:
        await asyncio.sleep(10)
        yield TextDelta("never")


async def collect(llm: LLM) -> str:
    return "".join(
        c.text for c in [c async for c in llm.stream(REQUEST)] if isinstance(c, TextDelta)
    )


async def test_cascade_falls_back_on_error_and_empty_reply() -> None:
    failing = Named("a", [Reply(error=LLMError("down"))])
    empty = Named("b", [Reply()])
    working = Named("c", [say("answer")])
    assert await collect(CascadeLLM([failing, empty, working])) == "answer"
    assert len(working.requests) == 1


async def test_cascade_falls_back_on_a_slow_first_token() -> None:
    working = Named("w", [say("fast")])
    assert await collect(CascadeLLM([Hanging(), working], first_chunk_timeout=0.05)) == "fast"


async def test_cascade_reports_every_failure() -> None:
    with pytest.raises(LLMError) as error:
        await collect(CascadeLLM([Named("a", [Reply(error=LLMError("x"))]), Named("b", [Reply()])]))
    assert "a: x" in str(error.value)
    assert "b: empty reply" in str(error.value)
    with pytest.raises(LLMTimeoutError):
        await collect(CascadeLLM([Hanging()], first_chunk_timeout=0.05))


class MidStreamFailure:
    name = "mid"

    async def stream(self, request: LLMRequest) -> AsyncIterator[LLMChunk]:
        yield TextDelta("half ")
        raise LLMError("connection lost")


async def test_no_fallback_once_a_model_has_spoken() -> None:
    backup = Named("backup", [say("other answer")])
    with pytest.raises(LLMError, match="connection lost"):
        await collect(CascadeLLM([MidStreamFailure(), backup]))
    assert backup.requests == []


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient() as client:
        yield client


def router(http: httpx.AsyncClient, secrets: dict[str, str] | None = None) -> LLMRouter:
    local = Named("local:test", [])

    async def local_model() -> LLM:
        return local

    async def secret(secret_id: str) -> str | None:
        return (secrets or {}).get(secret_id)

    endpoints = {"gpt-4o-mini": EndpointSettings(url="http://127.0.0.1:9/v1", model_id="m")}
    return LLMRouter(endpoints, local_model, http, secret)


def prompt(**fields: Any) -> PromptAgentAPIModelInput:
    return PromptAgentAPIModelInput.model_validate(fields)


async def test_unmapped_names_run_on_the_local_model(http: httpx.AsyncClient) -> None:
    llm = await router(http).for_prompt(prompt(llm="gemini-2.5-flash"), {})
    assert llm.name == "local:test"


async def test_mapped_name_uses_its_endpoint_with_local_backup(http: httpx.AsyncClient) -> None:
    llm = await router(http).for_prompt(prompt(llm="gpt-4o-mini"), {})
    assert llm.name == "openai:m > local:test"
    disabled = prompt(llm="gpt-4o-mini", backup_llm_config={"preference": "disabled"})
    assert (await router(http).for_prompt(disabled, {})).name == "openai:m"


async def test_backup_override_order(http: httpx.AsyncClient) -> None:
    config = prompt(
        llm="gemini-2.5-flash",
        backup_llm_config={"preference": "override", "order": ["gpt-4o-mini"]},
    )
    assert (await router(http).for_prompt(config, {})).name == "local:test > openai:m"


async def test_custom_llm_resolves_secrets_and_has_no_backup(http: httpx.AsyncClient) -> None:
    config = prompt(
        llm="custom-llm",
        custom_llm={
            "url": "http://127.0.0.1:9/v1",
            "model_id": "mine",
            "api_key": {"secret_id": "s1"},
            "request_headers": {"X-User": {"variable_name": "user"}, "X-Team": "voice"},
        },
    )
    llm = await router(http, {"s1": "key"}).for_prompt(config, {"user": "ann"})
    assert llm.name == "openai:mine"
    with pytest.raises(LLMUnavailableError, match="secret 's1' does not exist"):
        await router(http).for_prompt(config, {})


async def test_only_empty_replies_is_a_distinct_error() -> None:
    with pytest.raises(LLMEmptyReplyError):
        await collect(CascadeLLM([Named("a", [Reply()]), Named("b", [Reply()])]))
