"""Any OpenAI-compatible chat-completions endpoint: llama.cpp server, vLLM, Ollama, OpenAI...

This is what an agent's ``custom_llm`` points at.  The HTTP client is injected so the server
can share one connection pool across calls and close it on shutdown.  Failures are
translated into base.py's taxonomy here, so the engine never sees an ``httpx`` exception.
"""

from __future__ import annotations

import json
import logging
import secrets
from collections.abc import AsyncGenerator, Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx

from parley.providers.errors import retryable_status
from parley.providers.llm.base import (
    LLMChunk,
    LLMError,
    LLMRequest,
    LLMTimeoutError,
    LLMUnavailableError,
    TextDelta,
    ToolCall,
    chat_message_json,
    tool_json,
)

logger = logging.getLogger(__name__)

_CHAT_PATH = "/chat/completions"
_SNIPPET_CHARS = 200  # enough of an error body to see why, short enough for a log line


@dataclass(frozen=True)
class OpenAIEndpoint:
    """Where and how to reach the model; mirrors the spec's ``custom_llm`` settings."""

    url: str  # the base URL (".../v1") or the full ".../chat/completions" URL
    model_id: str | None = None  # sent as ``model`` when set; single-model servers need none
    api_key: str | None = field(default=None, repr=False)  # kept out of reprs and logs
    headers: Mapping[str, str] = field(default_factory=dict, repr=False)
    timeout_seconds: float = 20.0  # for the first byte and for any stall between chunks


class OpenAICompatibleLLM:
    """Streams chat completions over HTTP with server-sent events."""

    def __init__(self, endpoint: OpenAIEndpoint, client: httpx.AsyncClient) -> None:
        self._endpoint = endpoint
        self._client = client
        self._url = chat_completions_url(endpoint.url)
        self._name = f"openai:{endpoint.model_id or _host(endpoint.url)}"

    @property
    def name(self) -> str:
        return self._name

    @property
    def url(self) -> str:
        """The URL requests go to."""
        return self._url

    async def prefill(self, request: LLMRequest) -> None:
        """Nothing: a remote server keeps its own prompt cache, and an extra request for every
        interim transcript would be billed by hosted APIs."""

    async def stream(self, request: LLMRequest) -> AsyncGenerator[LLMChunk, None]:
        """Yield text deltas as they arrive, then the assembled tool calls.

        Leaving the ``async with`` (normal end, ``aclose()`` or cancellation) closes the
        response, which drops the connection and so stops generation on the server.
        """
        parser = _StreamParser(self._name)
        try:
            async with self._client.stream(
                "POST",
                self._url,
                json=build_body(request, self._endpoint.model_id),
                headers=self._headers(),
                timeout=httpx.Timeout(self._endpoint.timeout_seconds),
            ) as response:
                await self._check_status(response)
                async for line in response.aiter_lines():
                    for delta in parser.feed(line):
                        yield delta
                    if parser.done:
                        break
        except (httpx.HTTPError, httpx.InvalidURL) as exc:
            raise self._translate(exc) from exc
        for call in parser.finish():
            yield call

    def _headers(self) -> dict[str, str]:
        headers = {"Accept": "text/event-stream", **self._endpoint.headers}
        if self._endpoint.api_key:
            headers["Authorization"] = f"Bearer {self._endpoint.api_key}"
        return headers

    async def _check_status(self, response: httpx.Response) -> None:
        """Raise for a non-2xx answer: client errors are final, overload and 5xx may pass."""
        if response.is_success:
            return
        status = response.status_code
        snippet = await _body_snippet(response)
        if self._endpoint.api_key:  # some servers echo the key they rejected
            snippet = snippet.replace(self._endpoint.api_key, "***")
        logger.warning("%s answered HTTP %d", self._name, status)
        message = f"{self._name}: HTTP {status}: {snippet}"
        raise LLMError(message, retryable=retryable_status(status))

    def _translate(self, exc: httpx.HTTPError | httpx.InvalidURL) -> LLMError:
        """Map an httpx failure onto the taxonomy; the URL is left out (it may hold a key)."""
        kind = type(exc).__name__
        if isinstance(exc, httpx.InvalidURL | httpx.UnsupportedProtocol):
            return LLMUnavailableError(f"{self._name}: bad URL ({kind})", retryable=False)
        if isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout):
            return LLMUnavailableError(f"{self._name}: cannot connect ({kind})", retryable=True)
        if isinstance(exc, httpx.TimeoutException):
            seconds = self._endpoint.timeout_seconds
            return LLMTimeoutError(f"{self._name}: no data for {seconds}s ({kind})")
        return LLMError(f"{self._name}: transport failed ({kind}: {exc})", retryable=True)


def chat_completions_url(url: str) -> str:
    """Accept both forms users paste into ``custom_llm.url``."""
    base = url.rstrip("/")
    return base if base.endswith(_CHAT_PATH) else base + _CHAT_PATH


def build_body(request: LLMRequest, model_id: str | None) -> dict[str, Any]:
    """The JSON body; ``extra_body`` goes on top, but the reply is always streamed."""
    body: dict[str, Any] = {
        "messages": [chat_message_json(m, arguments_as_text=True) for m in request.messages]
    }
    if model_id:
        body["model"] = model_id
    if request.tools:
        body["tools"] = [tool_json(tool) for tool in request.tools]
    if request.temperature is not None:
        body["temperature"] = request.temperature
    if request.max_tokens is not None:
        body["max_tokens"] = request.max_tokens
    body.update(request.extra_body)
    body["stream"] = True
    return body


def _host(url: str) -> str:
    try:
        return httpx.URL(url).host or url
    except httpx.InvalidURL:
        return url


async def _body_snippet(response: httpx.Response) -> str:
    """The start of an error body, on one line; a huge body is not read to the end."""
    data = bytearray()
    async for piece in response.aiter_bytes():
        data += piece
        if len(data) >= _SNIPPET_CHARS * 4:
            break
    text = " ".join(data.decode("utf-8", errors="replace").split())
    return text[:_SNIPPET_CHARS] or "(empty body)"


@dataclass
class _PartialCall:
    """A tool call whose pieces are still arriving."""

    call_id: str = ""
    name: str = ""
    arguments: str = ""


class _StreamParser:
    """Turns SSE lines into text deltas and, at the end, complete tool calls.

    Kept free of I/O so the protocol details stay in one place.
    """

    def __init__(self, label: str) -> None:
        self._label = label
        self._calls: dict[int, _PartialCall] = {}
        self._events = 0
        self.done = False

    def feed(self, line: str) -> list[TextDelta]:
        """Handle one line; comments, blank lines and other SSE fields carry nothing."""
        if not line.startswith("data:"):
            return []
        data = line[len("data:") :].strip()
        self._events += 1
        if data == "[DONE]":
            self.done = True
            return []
        delta = _first_delta(self._decode(data))
        self._add_tool_fragments(delta.get("tool_calls"))
        content = delta.get("content")
        return [TextDelta(content)] if isinstance(content, str) and content else []

    def finish(self) -> list[ToolCall]:
        """The tool calls, in the model's order, once the stream is over."""
        if not self._events:
            raise LLMError(f"{self._label}: the reply held no stream events", retryable=True)
        return [self._complete(self._calls[index]) for index in sorted(self._calls)]

    def _decode(self, data: str) -> dict[str, Any]:
        try:
            payload = json.loads(data)
        except json.JSONDecodeError as exc:
            # The line itself stays out of the message: it may hold the conversation.
            raise LLMError(f"{self._label}: the stream held a non-JSON event") from exc
        if not isinstance(payload, dict):
            raise LLMError(f"{self._label}: the stream held a non-object event")
        if "error" in payload:  # vLLM and llama.cpp report mid-stream failures this way
            detail = " ".join(json.dumps(payload["error"]).split())[:_SNIPPET_CHARS]
            raise LLMError(f"{self._label}: the stream reported an error: {detail}")
        return payload

    def _add_tool_fragments(self, fragments: Any) -> None:
        if not isinstance(fragments, list):
            return
        for position, fragment in enumerate(fragments):
            if not isinstance(fragment, dict):
                continue
            index = fragment.get("index")
            partial = self._calls.setdefault(
                index if isinstance(index, int) else position, _PartialCall()
            )
            partial.call_id = partial.call_id or _text(fragment.get("id"))
            function = fragment.get("function")
            if isinstance(function, dict):
                partial.name += _text(function.get("name"))
                partial.arguments += _text(function.get("arguments"))

    def _complete(self, partial: _PartialCall) -> ToolCall:
        if not partial.name:
            raise LLMError(f"{self._label}: a tool call came without a name")
        try:
            arguments = json.loads(partial.arguments or "{}")
        except json.JSONDecodeError as exc:
            raise LLMError(
                f"{self._label}: tool call {partial.name!r} had invalid JSON arguments"
            ) from exc
        if not isinstance(arguments, dict):
            raise LLMError(f"{self._label}: tool call {partial.name!r} arguments not an object")
        call_id = partial.call_id or "call_" + secrets.token_hex(12)
        return ToolCall(call_id=call_id, name=partial.name, arguments=arguments)


def _first_delta(payload: dict[str, Any]) -> dict[str, Any]:
    """``choices[0].delta``, or nothing for chunks without one (e.g. a usage-only chunk)."""
    choices = payload.get("choices")
    if not isinstance(choices, list) or not choices or not isinstance(choices[0], dict):
        return {}
    delta = choices[0].get("delta")
    return delta if isinstance(delta, dict) else {}


def _text(value: Any) -> str:
    """A streamed string field; some servers send ``arguments`` as an object, not a string."""
    if isinstance(value, str):
        return value
    return json.dumps(value) if isinstance(value, dict) else ""
