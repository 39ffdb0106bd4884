"""Model selection and fallback: the router's choices and the cascade's behaviour."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse

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
from parley.providers.llm.router import LLMRouter, RetriedOnce
from parley.schemas.agent_config import PromptAgentAPIModelInput
from parley.settings import EndpointSettings
from tests.fakes.llm import FakeLLM, Reply, say
from tests.fakes.openai_server import FakeEndpoint, serve_endpoint

REQUEST = LLMRequest(messages=(ChatMessage("user", "hi"),))


class Named(FakeLLM):
    def __init__(self, label: str, replies: list[Reply]) -> None:
        super().__init__(replies)
        self._label = label

    @property
    def name(self) -> str:
        return self._label


class Hanging(Named):
    def __init__(self) -> None:
        super().__init__("hanging", [])

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


class MidStreamFailure(Named):
    def __init__(self) -> None:
        super().__init__("mid", [])

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


class LocalStub:
    """The embedded model: counts how often it is loaded."""

    name = "local:test"

    def __init__(self) -> None:
        self.model = Named("local:test", [])
        self.loads = 0

    async def get(self) -> LLM:
        self.loads += 1
        return self.model


def router(
    http: httpx.AsyncClient, secrets: dict[str, str] | None = None, local: LocalStub | None = None
) -> LLMRouter:
    async def secret(secret_id: str) -> str | None:
        return (secrets or {}).get(secret_id)

    endpoints = {"gpt-4o-mini": EndpointSettings(url="http://127.0.0.1:9/v1", model_id="m")}
    return LLMRouter(endpoints, local or LocalStub(), http, secret)


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


async def test_a_local_backup_is_loaded_only_when_it_is_needed(http: httpx.AsyncClient) -> None:
    local = LocalStub()
    llm = await router(http, local=local).for_prompt(prompt(llm="gpt-4o-mini"), {})
    assert local.loads == 0  # the call starts without it
    assert await collect(llm) == "(no more scripted replies)"  # 127.0.0.1:9 refused: the backup
    assert local.loads == 1
    assert len(local.model.requests) == 1


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


# A custom LLM is asked once more when its first attempt fails before it says anything.


@pytest.fixture(scope="module")
def fake_server() -> Iterator[FakeEndpoint]:
    with serve_endpoint() as fake:
        yield fake


@pytest.fixture
def endpoint(fake_server: FakeEndpoint) -> FakeEndpoint:
    fake_server.reset()
    return fake_server


def fails_first(endpoint: FakeEndpoint, status: int, answer: str = "second try") -> None:
    """The first request gets HTTP ``status``; every later one streams ``answer``."""

    async def reply(request: Request) -> Response:
        if len(endpoint.received) == 1:
            return JSONResponse({"error": {"message": "busy"}}, status_code=status)
        chunk = {"choices": [{"index": 0, "delta": {"content": answer}}]}
        events = [f"data: {json.dumps(chunk)}\n\n", "data: [DONE]\n\n"]
        return StreamingResponse(iter(events), media_type="text/event-stream")

    endpoint.reply = reply


def custom_prompt(endpoint: FakeEndpoint, **fields: Any) -> PromptAgentAPIModelInput:
    return prompt(
        llm="custom-llm", custom_llm={"url": endpoint.base_url, "model_id": "mine"}, **fields
    )


async def test_custom_llm_is_retried_once_after_a_server_error(
    endpoint: FakeEndpoint, http: httpx.AsyncClient
) -> None:
    fails_first(endpoint, 503)
    llm = await router(http).for_prompt(custom_prompt(endpoint), {})
    assert await collect(llm) == "second try"
    assert len(endpoint.received) == 2


async def test_custom_llm_is_not_retried_after_a_refusal(
    endpoint: FakeEndpoint, http: httpx.AsyncClient
) -> None:
    fails_first(endpoint, 401)
    llm = await router(http).for_prompt(custom_prompt(endpoint), {})
    with pytest.raises(LLMError, match="HTTP 401"):
        await collect(llm)
    assert len(endpoint.received) == 1


async def test_custom_llm_is_not_retried_once_it_has_spoken(
    endpoint: FakeEndpoint, http: httpx.AsyncClient
) -> None:
    endpoint.stream(
        {"choices": [{"index": 0, "delta": {"content": "half "}}]},
        {"error": {"message": "the model crashed"}},
    )
    llm = await router(http).for_prompt(custom_prompt(endpoint), {})
    with pytest.raises(LLMError, match="the model crashed"):
        await collect(llm)
    assert len(endpoint.received) == 1


async def test_custom_llm_retry_stays_within_the_timeout(
    endpoint: FakeEndpoint, http: httpx.AsyncClient
) -> None:
    endpoint.hang_before_headers()
    chain = LLMRouter({}, Unused(), http, no_secrets, timeout_seconds=0.3)
    llm = await chain.for_prompt(custom_prompt(endpoint), {})
    started = time.monotonic()
    with pytest.raises(LLMTimeoutError):
        await collect(llm)
    assert time.monotonic() - started < 2.0
    assert len(endpoint.received) == 1


async def test_custom_llm_retries_then_falls_back_to_its_override_list(
    endpoint: FakeEndpoint, http: httpx.AsyncClient
) -> None:
    endpoint.status(502, {"error": {"message": "bad gateway"}})
    backup = {"preference": "override", "order": ["gemini-2.5-flash"]}
    llm = await router(http).for_prompt(custom_prompt(endpoint, backup_llm_config=backup), {})
    assert llm.name == "openai:mine > local:test"
    assert await collect(llm) == "(no more scripted replies)"  # the local model answered
    assert len(endpoint.received) == 2


async def test_a_refused_connection_is_retried_once() -> None:
    flaky = Named("flaky", [Reply(error=LLMUnavailableError("cannot connect", retryable=True))])
    flaky_then_fine = RetriedOnce(flaky)
    assert await collect(CascadeLLM([flaky_then_fine])) == "(no more scripted replies)"
    assert len(flaky.requests) == 2
    broken = Named("broken", [Reply(error=LLMUnavailableError("no URL", retryable=False))])
    with pytest.raises(LLMError, match="broken: no URL"):
        await collect(CascadeLLM([RetriedOnce(broken)]))
    assert len(broken.requests) == 1


class Unused:
    name = "local:unused"

    async def get(self) -> LLM:
        raise AssertionError("the local model must not be loaded")


async def no_secrets(secret_id: str) -> str | None:
    return None
