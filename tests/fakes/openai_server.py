"""A fake OpenAI-compatible chat endpoint on 127.0.0.1, for tests.

A Starlette app under uvicorn in a background thread: it records each request and answers with
whatever the test scripted, over real sockets, as llama.cpp or vLLM would.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import socket
import threading
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response, StreamingResponse
from starlette.routing import Route

Reply = Callable[[Request], Awaitable[Response]]


@dataclass(frozen=True)
class Received:
    path: str
    headers: dict[str, str]
    body: dict[str, Any]


class FakeEndpoint:
    """An OpenAI-style chat endpoint whose next answer each test scripts."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.received: list[Received] = []
        self.reply: Reply = self._stream_reply(())
        self.disconnected = threading.Event()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def reset(self) -> None:
        self.received.clear()
        self.disconnected.clear()
        self.stream()

    async def handle(self, request: Request) -> Response:
        body = await request.json()
        self.received.append(Received(request.url.path, dict(request.headers), body))
        return await self.reply(request)

    def stream(self, *events: dict[str, Any] | str, done: bool = True, hang: bool = False) -> None:
        """Send each event as a ``data:`` line; then ``[DONE]``, or wait for the client to go."""
        self.reply = self._stream_reply(events, done=done, hang=hang)

    def status(self, code: int, body: dict[str, Any]) -> None:
        async def reply(request: Request) -> Response:
            return JSONResponse(body, status_code=code)

        self.reply = reply

    def html(self) -> None:
        """HTTP 200 with a web page: a proxy or captive portal answering for the model."""

        async def reply(request: Request) -> Response:
            return HTMLResponse("<html><body><h1>Welcome to nginx!</h1></body></html>")

        self.reply = reply

    def hang_before_headers(self) -> None:
        async def reply(request: Request) -> Response:
            message = await request.receive()  # the body is read: the next is the goodbye
            assert message["type"] == "http.disconnect"
            self.disconnected.set()
            return Response(status_code=204)

        self.reply = reply

    def _stream_reply(
        self, events: tuple[dict[str, Any] | str, ...], *, done: bool = True, hang: bool = False
    ) -> Reply:
        async def body() -> AsyncIterator[str]:
            for event in events:
                yield f"data: {event if isinstance(event, str) else json.dumps(event)}\n\n"
            if hang:
                try:
                    await asyncio.Event().wait()
                except asyncio.CancelledError:  # Starlette cancels the body on disconnect
                    self.disconnected.set()
                    raise
            if done:
                yield "data: [DONE]\n\n"

        async def reply(request: Request) -> Response:
            return StreamingResponse(body(), media_type="text/event-stream")

        return reply


@contextlib.contextmanager
def serve_endpoint() -> Iterator[FakeEndpoint]:
    """A :class:`FakeEndpoint` on a free port of 127.0.0.1 for the ``with`` block."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    fake = FakeEndpoint(listener.getsockname()[1])
    app = Starlette(routes=[Route("/{path:path}", fake.handle, methods=["POST"])])
    config = uvicorn.Config(
        app, lifespan="off", log_level="warning", access_log=False, timeout_graceful_shutdown=2
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [listener]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and thread.is_alive() and time.monotonic() < deadline:
        time.sleep(0.01)
    try:
        assert server.started, "the fake endpoint did not start"
        yield fake
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        listener.close()
