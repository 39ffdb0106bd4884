"""The OpenAI-compatible LLM provider against a real HTTP server on 127.0.0.1
(:mod:`tests.fakes.openai_server`), so streaming, timeouts and dropped connections go through real
sockets, as they do with llama.cpp or vLLM."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest

from parley.providers.llm.base import (
    ChatMessage,
    LLMChunk,
    LLMError,
    LLMRequest,
    LLMTimeoutError,
    LLMUnavailableError,
    TextDelta,
    ToolCall,
    ToolSpec,
)
from parley.providers.llm.cascade import CascadeLLM
from parley.providers.llm.openai_compat import OpenAICompatibleLLM, OpenAIEndpoint
from tests.fakes.llm import FakeLLM, say
from tests.fakes.openai_server import FakeEndpoint, serve_endpoint
from tests.servers import free_port

API_KEY = "sk-secret-0123456789"
HELLO = LLMRequest(messages=(ChatMessage(role="user", content="Say hello"),))


@pytest.fixture(scope="module")
def fake_server() -> Iterator[FakeEndpoint]:
    with serve_endpoint() as fake:
        yield fake


@pytest.fixture
def endpoint(fake_server: FakeEndpoint) -> FakeEndpoint:
    fake_server.reset()
    return fake_server


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient() as shared:
        yield shared


def make_llm(
    url: str, client: httpx.AsyncClient, timeout: float = 5.0, **settings: Any
) -> OpenAICompatibleLLM:
    return OpenAICompatibleLLM(OpenAIEndpoint(url=url, timeout_seconds=timeout, **settings), client)


async def collect(
    llm: OpenAICompatibleLLM, request: LLMRequest = HELLO, into: list[LLMChunk] | None = None
) -> list[LLMChunk]:
    """All chunks of a reply; ``into`` keeps those that came before an error."""
    chunks = [] if into is None else into
    async for chunk in llm.stream(request):
        chunks.append(chunk)
    return chunks


def text(content: str) -> dict[str, Any]:
    return {"choices": [{"index": 0, "delta": {"content": content}}]}


def tool_fragment(index: int, **fields: Any) -> dict[str, Any]:
    """One streamed piece of a tool call: ``id``, ``name`` and/or ``arguments``."""
    fragment: dict[str, Any] = {"index": index}
    if "id" in fields:
        fragment["id"] = fields.pop("id")
        fragment["type"] = "function"
    fragment["function"] = fields
    return {"choices": [{"index": 0, "delta": {"tool_calls": [fragment]}}]}


# Streaming


async def test_streams_text_deltas(endpoint: FakeEndpoint, client: httpx.AsyncClient) -> None:
    endpoint.stream(
        {"choices": [{"index": 0, "delta": {"role": "assistant"}}]},
        text("Hel"),
        text(""),
        text("lo!"),
        {"choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]},
        {"choices": [], "usage": {"prompt_tokens": 3, "completion_tokens": 2}},
    )
    chunks = await collect(make_llm(endpoint.base_url, client))
    assert chunks == [TextDelta("Hel"), TextDelta("lo!")]


async def test_assembles_tool_calls_split_over_chunks(
    endpoint: FakeEndpoint, client: httpx.AsyncClient
) -> None:
    endpoint.stream(
        text("Checking."),
        tool_fragment(0, id="call_weather", name="get_weather", arguments=""),
        tool_fragment(0, arguments='{"ci'),
        tool_fragment(1, name="hang_up", arguments="{}"),  # no id: one is made up
        tool_fragment(0, arguments='ty": "Par'),
        tool_fragment(0, arguments='is", "days": 2}'),
    )
    chunks = await collect(make_llm(endpoint.base_url, client))
    assert chunks[:2] == [
        TextDelta("Checking."),
        ToolCall("call_weather", "get_weather", {"city": "Paris", "days": 2}),
    ]
    generated = chunks[2]
    assert isinstance(generated, ToolCall)
    assert (generated.name, generated.arguments) == ("hang_up", {})
    assert generated.call_id.startswith("call_")
    assert len(generated.call_id) > len("call_")


async def test_stream_that_ends_without_done_still_yields_tool_calls(
    endpoint: FakeEndpoint, client: httpx.AsyncClient
) -> None:
    endpoint.stream(tool_fragment(0, id="c1", name="end_call", arguments="{}"), done=False)
    chunks = await collect(make_llm(endpoint.base_url, client))
    assert chunks == [ToolCall("c1", "end_call", {})]


# The request


async def test_request_body_carries_the_whole_conversation(
    endpoint: FakeEndpoint, client: httpx.AsyncClient
) -> None:
    weather = ToolSpec(
        name="get_weather",
        description="Weather for a city",
        parameters={"type": "object", "properties": {"city": {"type": "string"}}},
    )
    request = LLMRequest(
        messages=(
            ChatMessage(role="system", content="You are terse."),
            ChatMessage(role="user", content="Weather in Paris?"),
            ChatMessage(
                role="assistant",
                tool_calls=(ToolCall("call_1", "get_weather", {"city": "Paris"}),),
            ),
            ChatMessage(role="tool", content='{"temp": 21}', tool_call_id="call_1"),
        ),
        tools=(weather,),
        temperature=0.2,
        max_tokens=64,
        extra_body={"top_p": 0.9, "stream": False},
    )
    await collect(make_llm(endpoint.base_url, client, model_id="qwen2.5"), request)
    assert endpoint.received[0].body == {
        "model": "qwen2.5",
        "messages": [
            {"role": "system", "content": "You are terse."},
            {"role": "user", "content": "Weather in Paris?"},
            {
                "role": "assistant",
                "content": "",
                "tool_calls": [
                    {
                        "id": "call_1",
                        "type": "function",
                        "function": {"name": "get_weather", "arguments": '{"city": "Paris"}'},
                    }
                ],
            },
            {"role": "tool", "content": '{"temp": 21}', "tool_call_id": "call_1"},
        ],
        "tools": [
            {
                "type": "function",
                "function": {
                    "name": "get_weather",
                    "description": "Weather for a city",
                    "parameters": weather.parameters,
                },
            }
        ],
        "temperature": 0.2,
        "max_tokens": 64,
        "top_p": 0.9,
        "stream": True,  # extra_body cannot turn streaming off: the reply is parsed as SSE
    }


async def test_unset_options_are_left_out(
    endpoint: FakeEndpoint, client: httpx.AsyncClient
) -> None:
    await collect(make_llm(endpoint.base_url, client))
    received = endpoint.received[0]
    assert received.body == {
        "messages": [{"role": "user", "content": "Say hello"}],
        "stream": True,
    }
    assert "authorization" not in received.headers


async def test_sends_bearer_key_and_extra_headers(
    endpoint: FakeEndpoint, client: httpx.AsyncClient
) -> None:
    llm = make_llm(endpoint.base_url, client, api_key=API_KEY, headers={"X-Org": "acme"})
    await collect(llm)
    headers = endpoint.received[0].headers
    assert headers["authorization"] == f"Bearer {API_KEY}"
    assert headers["x-org"] == "acme"
    assert API_KEY not in repr(llm) + repr(OpenAIEndpoint(url="http://x", api_key=API_KEY))


@pytest.mark.parametrize("suffix", ["/v1", "/v1/", "/v1/chat/completions"])
async def test_base_and_full_urls_reach_chat_completions(
    endpoint: FakeEndpoint, client: httpx.AsyncClient, suffix: str
) -> None:
    llm = make_llm(f"http://127.0.0.1:{endpoint.port}{suffix}", client)
    await collect(llm)
    assert llm.url == f"http://127.0.0.1:{endpoint.port}/v1/chat/completions"
    assert endpoint.received[0].path == "/v1/chat/completions"


async def test_name_shows_the_model_or_else_the_host(client: httpx.AsyncClient) -> None:
    assert make_llm("http://gpu-box:8000/v1", client, model_id="qwen").name == "openai:qwen"
    assert make_llm("http://gpu-box:8000/v1", client).name == "openai:gpu-box"


# Errors


@pytest.mark.parametrize(
    ("code", "retryable"),
    [
        (400, False),
        (401, False),
        (403, False),
        (404, False),
        (422, False),
        (429, True),
        (500, True),
        (503, True),
    ],
)
async def test_http_errors_say_whether_to_retry(
    endpoint: FakeEndpoint, client: httpx.AsyncClient, code: int, retryable: bool
) -> None:
    endpoint.status(code, {"error": {"message": f"nope: rejected key {API_KEY}"}})
    with pytest.raises(LLMError) as caught:
        await collect(make_llm(endpoint.base_url, client, api_key=API_KEY))
    assert type(caught.value) is LLMError
    assert caught.value.retryable is retryable
    message = str(caught.value)
    assert f"HTTP {code}" in message
    assert "nope: rejected key" in message
    assert API_KEY not in message


async def test_connection_refused_is_unavailable(client: httpx.AsyncClient) -> None:
    with pytest.raises(LLMUnavailableError) as caught:
        await collect(make_llm(f"http://127.0.0.1:{free_port()}/v1", client))
    assert caught.value.retryable is True


async def test_unsupported_url_is_unavailable_for_good(client: httpx.AsyncClient) -> None:
    with pytest.raises(LLMUnavailableError) as caught:
        await collect(make_llm("ftp://127.0.0.1/v1", client))
    assert caught.value.retryable is False


async def test_no_answer_in_time_is_a_timeout(
    endpoint: FakeEndpoint, client: httpx.AsyncClient
) -> None:
    endpoint.hang_before_headers()
    started = time.monotonic()
    with pytest.raises(LLMTimeoutError) as caught:
        await collect(make_llm(endpoint.base_url, client, timeout=0.3))
    assert caught.value.retryable is True
    assert time.monotonic() - started < 2
    assert await asyncio.to_thread(endpoint.disconnected.wait, 2)


async def test_stalled_stream_is_a_timeout(
    endpoint: FakeEndpoint, client: httpx.AsyncClient
) -> None:
    endpoint.stream(text("Hi"), hang=True)
    chunks: list[LLMChunk] = []
    with pytest.raises(LLMTimeoutError):
        await collect(make_llm(endpoint.base_url, client, timeout=0.3), into=chunks)
    assert chunks == [TextDelta("Hi")]


@pytest.mark.parametrize(
    "event",
    [
        pytest.param("this is not json", id="not-json"),
        pytest.param('{"error": {"message": "model crashed"}}', id="error-event"),
        pytest.param('["a list"]', id="not-an-object"),
    ],
)
async def test_garbage_in_the_stream_is_a_retryable_error(
    endpoint: FakeEndpoint, client: httpx.AsyncClient, event: str
) -> None:
    endpoint.stream(text("ok"), event)
    with pytest.raises(LLMError) as caught:
        await collect(make_llm(endpoint.base_url, client))
    assert type(caught.value) is LLMError
    assert caught.value.retryable is True
    assert "this is not json" not in str(caught.value)


@pytest.mark.parametrize(
    "fragment",
    [
        pytest.param(tool_fragment(0, id="c1", name="f", arguments='{"a": '), id="cut-json"),
        pytest.param(tool_fragment(0, id="c1", name="f", arguments="[1]"), id="not-an-object"),
        pytest.param(tool_fragment(0, id="c1", arguments="{}"), id="no-name"),
    ],
)
async def test_unusable_tool_call_is_a_retryable_error(
    endpoint: FakeEndpoint, client: httpx.AsyncClient, fragment: dict[str, Any]
) -> None:
    endpoint.stream(fragment)
    with pytest.raises(LLMError) as caught:
        await collect(make_llm(endpoint.base_url, client))
    assert caught.value.retryable is True


async def test_reply_that_is_not_a_stream_is_an_error(
    endpoint: FakeEndpoint, client: httpx.AsyncClient
) -> None:
    endpoint.status(200, {"choices": [{"message": {"content": "hi"}}]})
    with pytest.raises(LLMError) as caught:
        await collect(make_llm(endpoint.base_url, client))
    assert caught.value.retryable is True


# Stopping early


async def test_closing_the_stream_drops_the_connection(
    endpoint: FakeEndpoint, client: httpx.AsyncClient
) -> None:
    endpoint.stream(text("Hello"), hang=True)
    replies = make_llm(endpoint.base_url, client).stream(HELLO)
    assert await anext(replies) == TextDelta("Hello")
    await replies.aclose()
    assert await asyncio.to_thread(endpoint.disconnected.wait, 2)


async def test_cancelling_the_consumer_drops_the_connection(
    endpoint: FakeEndpoint, client: httpx.AsyncClient
) -> None:
    endpoint.stream(text("Hello"), hang=True)
    first = asyncio.Event()

    async def consume() -> None:
        async for _ in make_llm(endpoint.base_url, client).stream(HELLO):
            first.set()

    task = asyncio.create_task(consume())
    await asyncio.wait_for(first.wait(), 2)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert await asyncio.to_thread(endpoint.disconnected.wait, 2)


async def test_logs_hold_no_key_or_conversation(
    endpoint: FakeEndpoint, client: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    llm = make_llm(endpoint.base_url, client, api_key=API_KEY)
    await collect(llm)
    endpoint.status(401, {"error": "bad key"})
    with pytest.raises(LLMError):
        await collect(llm)
    assert API_KEY not in caplog.text
    assert "Say hello" not in caplog.text


# Falling back to the backup model


def break_endpoint(endpoint: FakeEndpoint, how: str) -> str:
    """Make the endpoint fail in one way; returns the URL to reach it at."""
    if how == "down":
        return f"http://127.0.0.1:{free_port()}/v1"
    if how == "slow":
        endpoint.hang_before_headers()
    elif how == "html":
        endpoint.html()
    elif how == "http-502":
        endpoint.status(502, {"error": "bad gateway"})
    elif how == "not-json":
        endpoint.stream("<html>oops</html>")
    elif how == "empty":
        endpoint.stream()
    return endpoint.base_url


@pytest.mark.parametrize("how", ["down", "slow", "html", "http-502", "not-json", "empty"])
async def test_a_broken_endpoint_falls_back_to_the_backup(
    endpoint: FakeEndpoint, client: httpx.AsyncClient, how: str
) -> None:
    url = break_endpoint(endpoint, how)
    backup = FakeLLM([say("From the ", "backup.")])
    cascade = CascadeLLM([make_llm(url, client), backup], first_chunk_timeout=0.3)
    chunks = [chunk async for chunk in cascade.stream(HELLO)]
    assert chunks == [TextDelta("From the "), TextDelta("backup.")]
    assert backup.requests == [HELLO]
